import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from registry.search.engine import search_organisations


class Command(BaseCommand):
    help = "Search the registry: search_registry [--country CC] [--limit N] [--json] QUERY, or --batch FILE"

    def add_arguments(self, parser):
        parser.add_argument("query", nargs="?", help="a name or a registry number")
        parser.add_argument("--country", help="ISO country code, e.g. US, GB, AU, FR")
        parser.add_argument("--limit", type=int, default=10)
        parser.add_argument("--batch", help="a file with one query per line")
        parser.add_argument("--json", action="store_true", help="one JSON line per query")

    def handle(self, *args, **options):
        if bool(options["query"]) == bool(options["batch"]):
            raise CommandError("give either a QUERY or --batch FILE")
        if options["limit"] < 1:
            raise CommandError("--limit must be at least 1")
        if options["batch"]:
            path = Path(options["batch"])
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
            queries = path.read_text(encoding="utf-8", errors="replace").splitlines()
        else:
            queries = [options["query"]]
        for query in queries:
            hits = search_organisations(query=query, country=options["country"], limit=options["limit"])
            if options["json"]:
                results = [{"org_id": h.org_id, "name": h.name, "status": h.status, "score": h.score} for h in hits]
                self.stdout.write(json.dumps({"query": query, "results": results}, ensure_ascii=False))
                continue
            self.stdout.write(f"{query}")
            for hit in hits:
                place = ", ".join(p for p in (hit.city, hit.region, hit.country) if p)
                self.stdout.write(f"  {hit.score:.3f}  {hit.org_id:<22} {hit.status:<8} {hit.name} ({place})")
            if not hits:
                self.stdout.write("  no organisation found")
