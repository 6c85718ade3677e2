"""The one direction through the house: prints what points the wrong way, exits 1 if anything.

wiring -> handlers/ -> storage/ -> bot/domain/, and handlers/ -> bot/domain/; the domain
imports nothing third-party but dateparser. The
wiring is every module of ``bot/`` outside ``bot/domain``, read from the folder, so a
new entry point is known the day it is added. Every import counts: at the top, inside
a function, under ``TYPE_CHECKING``; a lazy import is still a dependency. Inside
``handlers/`` and ``storage/`` no imports go round in a circle.
Run from the repository root: ``python tests/check_architecture.py``.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import deque
from dataclasses import dataclass
from pathlib import Path

PACKAGES = ("bot", "handlers", "storage")
SLACK = {"slack_bolt", "slack_sdk"}
FORBIDDEN = {
    "domain": {"wiring", "handlers", "storage", *SLACK, "aiosqlite", "aiohttp"},
    "storage": {"wiring", "handlers", *SLACK, "aiohttp"},
    "handlers": {"wiring"},
}
"""What each room may not import: other rooms, or third-party packages by top-level name."""
DOMAIN_MAY_IMPORT = {*sys.stdlib_module_names, "domain", "dateparser"}
"""The pure core: the standard library, dateparser and itself, nothing else third-party."""
CIRCLE_FREE = ("handlers", "storage")
OUTSIDE_DOMAIN = {"storage", "handlers", *SLACK, "aiosqlite", "aiohttp"}


@dataclass(frozen=True)
class Import:
    module: str
    """Ours: the module imported (a submodule when ``from package import submodule``);
    anyone else's: the top-level package."""
    line: int
    text: str


def modules(root: Path) -> dict[str, Path]:
    """Every module of the product tree, by dotted name."""
    found = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            name = ".".join(path.relative_to(root).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def room(module: str) -> str:
    """``domain``, ``wiring``, ``handlers`` or ``storage``; a third-party package is its own name."""
    top = module.split(".")[0]
    if top == "bot":
        return "domain" if module == "bot.domain" or module.startswith("bot.domain.") else "wiring"
    return top


def imports(name: str, path: Path, ours: dict[str, Path]) -> list[Import]:
    """Every import in the module, wherever it stands in the file."""
    source = path.read_text()
    lines = source.splitlines()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source, str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in ours else base
                for alias in node.names
            ]
        else:
            continue
        text = lines[node.lineno - 1].strip()
        for target in dict.fromkeys(targets):
            if target.split(".")[0] not in PACKAGES:
                target = target.split(".")[0]
            found.append(Import(target, node.lineno, text))
    return found


def wrong_imports(root: Path, graph: dict[str, list[Import]]) -> list[str]:
    problems = []
    for name, found in graph.items():
        forbidden = FORBIDDEN.get(room(name), set())
        for imported in found:
            outside = room(name) == "domain" and room(imported.module) not in DOMAIN_MAY_IMPORT
            if room(imported.module) in forbidden or outside:
                where = modules(root)[name].relative_to(root)
                problems.append(f"{where}:{imported.line}: {imported.text}")
    return problems


def circles(root: Path, graph: dict[str, list[Import]]) -> list[str]:
    """One shortest circle through each module that is on one, each circle said once."""
    edges = {
        name: {i.module for i in found if i.module in graph and i.module != name}
        for name, found in graph.items()
        if room(name) in CIRCLE_FREE
    }
    seen: set[frozenset[str]] = set()
    problems = []
    for start in sorted(edges):
        path = _shortest_way(edges, start)
        if path is None or frozenset(path) in seen:
            continue
        seen.add(frozenset(path))
        problems.append("import circle: " + " -> ".join([*path, start]))
    return problems


def _shortest_way(edges: dict[str, set[str]], start: str) -> list[str] | None:
    """The modules from ``start`` back to itself along imports, fewest first."""
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        at = queue.popleft()
        for nxt in sorted(edges.get(at, ())):
            if nxt == start:
                path = [at]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return path[::-1]
            if nxt not in came_from and nxt in edges:
                came_from[nxt] = at
                queue.append(nxt)
    return None


def static_problems(root: Path) -> list[str]:
    """What the source says: wrong-way imports and circles."""
    ours = modules(root)
    graph = {name: imports(name, path, ours) for name, path in ours.items()}
    return wrong_imports(root, graph) + circles(root, graph)


def loaded_by_domain() -> list[str]:
    """What importing every domain module drags in, in a fresh interpreter."""
    script = (
        "import importlib,pkgutil,sys,bot.domain as d;"
        "[importlib.import_module('bot.domain.'+m.name) for m in pkgutil.iter_modules(d.__path__)];"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}}&{OUTSIDE_DOMAIN!r}))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return [] if out.stdout.strip() == "[]" else [f"bot.domain loads {out.stdout.strip()}"]


def main() -> int:
    problems = static_problems(Path.cwd()) + loaded_by_domain()
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
