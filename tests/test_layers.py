"""The shape of the code (ARCHITECTURE.md): no import cycles, the bottom layer imports only
itself, the core never reaches up into the pages or the CLI, and imports inside functions
(outside the CLI) say why."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BOTTOM = {"assetreg.errors", "assetreg.vocab", "assetreg.periods", "assetreg.shares",
          "assetreg.accounts", "assetreg.dates", "assetreg.options", "assetreg.textsafe"}
PEOPLE = ("assetreg.views", "assetreg.fava_ext", "assetreg.cli", "assetreg.serve", "importers")


def _modules() -> dict[str, Path]:
    out = {}
    for f in [*REPO.glob("assetreg/**/*.py"), *REPO.glob("importers/**/*.py")]:
        name = ".".join(f.relative_to(REPO).with_suffix("").parts)
        out[name.removesuffix(".__init__")] = f
    return out


MODULES = _modules()


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if node.level:
        parts = module.split(".")
        package = parts if MODULES[module].name == "__init__.py" else parts[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, *([node.module] if node.module else [])])
    else:
        base = node.module or ""
    return [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]


def _explained(lines: list[str], i: int) -> bool:
    """A comment on the import's line, or on the line above it or above the run of imports
    it belongs to."""
    if "#" in lines[i]:
        return True
    i -= 1
    while i >= 0 and lines[i].strip().startswith(("from ", "import ")):
        if "#" in lines[i]:
            return True
        i -= 1
    return i >= 0 and lines[i].strip().startswith("#")


def _graph() -> tuple[dict[str, set[str]], list[tuple[str, int, str]]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    inner: list[tuple[str, int, str]] = []
    for m, f in MODULES.items():
        tree = ast.parse(f.read_text(encoding="utf-8"))
        top = set()
        for node in tree.body:
            top.add(node)
            if isinstance(node, ast.If):  # `if TYPE_CHECKING:` blocks
                top.update(node.body)
        lines = f.read_text(encoding="utf-8").splitlines()
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            if node in top:
                graph[m].update(t for t in _targets(m, node) if t in MODULES and t != m)
            else:
                if not _explained(lines, node.lineno - 1):
                    inner.append((str(f.relative_to(REPO)), node.lineno, ast.unparse(node)))
    return graph, inner


def test_no_import_cycles() -> None:
    graph, _ = _graph()
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for t in sorted(graph[m]):
            if state.get(t) == 1:
                raise AssertionError("import cycle: " + " -> ".join([*path[path.index(t):], t]))
            if t not in state:
                visit(t, [*path, t])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])


def test_bottom_layer_imports_only_itself() -> None:
    graph, _ = _graph()
    for m in BOTTOM:
        assert graph[m] <= BOTTOM, (m, graph[m] - BOTTOM)


def test_core_does_not_reach_up_to_people() -> None:
    graph, _ = _graph()
    for m, targets in graph.items():
        if m.startswith(PEOPLE) or m == "assetreg":
            continue
        up = {t for t in targets if t.startswith(PEOPLE)}
        assert not up, (m, up)


def test_imports_inside_functions_say_why() -> None:
    _, inner = _graph()
    unexplained = [f"{f}:{line}: {text}" for f, line, text in inner if "/cli/" not in f]
    assert unexplained == []


def test_every_command_is_found_where_the_cli_says() -> None:
    """The CLI imports a command's module only when it runs (assetreg.cli.COMMANDS)."""
    import click

    from assetreg import cli

    ctx = click.Context(cli.main)
    names = cli.main.list_commands(ctx)
    for name in names:
        command = cli.main.get_command(ctx, name)
        assert command is not None
        module = cli.COMMANDS.get(name)
        if module is not None:
            assert (command.callback is not None and command.callback.__module__ == module) \
                or any(c.callback and c.callback.__module__ == module
                       for c in getattr(command, "commands", {}).values()), name
    assert set(cli.COMMANDS) <= set(names)
