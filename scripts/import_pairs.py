"""The import graph between Vouch's apps, for the architecture notes: pairs of apps that import each other (at any
level) and imports of project modules inside functions. Usage: `.venv/bin/python scripts/import_pairs.py [ROOT]`."""

import ast
import sys
from pathlib import Path

APPS = [
    "core",
    "notifications",
    "registry",
    "programs",
    "coupons",
    "verification",
    "billing",
    "partners",
    "api",
    "webhooks",
    "vouch",
]


def _imported(node: ast.AST) -> list[str]:
    if isinstance(node, ast.ImportFrom):
        return [node.module or ""]
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    return []


def graph(root: Path) -> tuple[set[tuple[str, str]], list[str]]:
    edges, inner = set(), []
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")) if (root / app).exists() else []:
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                for name in _imported(node):
                    top = name.split(".")[0]
                    if top in APPS and top != app:
                        edges.add((app, top))
            for function in ast.walk(tree):
                if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                    for node in ast.walk(function):
                        if any(name.split(".")[0] in APPS for name in _imported(node)):
                            inner.append(f"{path.relative_to(root)}:{node.lineno}")
    return edges, inner


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    edges, inner = graph(root)
    pairs = sorted({tuple(sorted(edge)) for edge in edges if (edge[1], edge[0]) in edges})
    print(f"pairs of apps importing each other: {len(pairs)} {pairs}")
    print(f"project imports inside functions: {len(inner)}")
    for where in inner:
        print(f"  {where}")


if __name__ == "__main__":
    main()
