from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from support.roles import ROLES, roles_ensure


class Command(BaseCommand):
    help = "Create or reset the staff roles (groups and permissions); optionally put a user in one (staff)."

    def add_arguments(self, parser):
        parser.add_argument("--add", nargs=2, metavar=("USERNAME", "ROLE"), help=f"Roles: {', '.join(ROLES)}")

    def handle(self, *args, **options):
        for name, count in roles_ensure().items():
            self.stdout.write(f"role {name}: {count} permissions")
        if options["add"]:
            username, role = options["add"]
            if role not in ROLES:
                raise CommandError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
            user = get_user_model().objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"no user {username!r}")
            user.groups.add(Group.objects.get(name=role))
            if not user.is_staff:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
            self.stdout.write(f"{username} is now in {role}")
