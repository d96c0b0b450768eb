"""The layers import one way: connectors → warehouse → dagster_project, and bench from tests, never the reverse;
inside the warehouse, each stage imports only earlier ones; no module imports itself back through others when it
loads."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("connectors", "warehouse", "dagster_project", "bench", "tests")
# package: what it must never import, anywhere in its code
FORBIDDEN = {
    "connectors": ("warehouse", "dagster", "dagster_project", "bench", "tests"),
    "warehouse": ("dagster", "dagster_project", "bench", "tests"),
    "dagster_project": ("bench", "tests"),
    "tests": ("bench",),
}
# the warehouse's stages (its folders), in the order data flows
STAGES = ("infra", "schema", "reference", "raw", "clean", "classify", "cases", "indicators", "quality", "report", "ops")


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "node_modules" in path.parts or "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(path: Path, name: str, *, top_level: bool) -> set[str]:
    """The modules ``path`` imports: all of them, or those it imports when it loads (not in a function, nor under
    ``if TYPE_CHECKING``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = _loaded(tree.body) if top_level else ast.walk(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package.split(".")[:len(package.split(".")) - node.level + 1], *filter(None, [base])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _loaded(body: list[ast.stmt]):
    for node in body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if isinstance(node, ast.ClassDef):
            yield from _loaded(node.body)
        elif isinstance(node, (ast.If, ast.Try, ast.With)):
            for part in (node.body, getattr(node, "orelse", []), getattr(node, "finalbody", []),
                         *[h.body for h in getattr(node, "handlers", [])]):
                yield from _loaded(part)
        else:
            yield node


@pytest.mark.parametrize("package", FORBIDDEN)
def test_no_layer_imports_a_later_one(package):
    found = modules()
    wrong = sorted((name, imported) for name, path in found.items() if name.split(".")[0] == package
                   for imported in imports(path, name, top_level=False)
                   if imported.split(".")[0] in FORBIDDEN[package])
    assert not wrong, wrong


def test_no_module_imports_itself_back_when_it_loads():
    found = modules()
    names = sorted(found)
    at = {name: n for n, name in enumerate(names)}
    edges = [(at[name], at[m]) for name in names for m in imports(found[name], name, top_level=True)
             if m in at and m != name]
    rows, columns = zip(*edges, strict=True)
    graph = coo_matrix((np.ones(len(edges)), (rows, columns)), shape=(len(names),) * 2)
    _, component = connected_components(graph, directed=True, connection="strong")
    sizes = np.bincount(component)
    cycles = [[name for name in names if component[at[name]] == c] for c in np.flatnonzero(sizes > 1)]
    assert not cycles, cycles


def test_every_warehouse_module_lives_in_a_stage_and_imports_only_earlier_ones():
    stage = {name: STAGES.index(name) for name in STAGES}
    wrong = []
    for name, path in modules().items():
        parts = name.split(".")
        if parts[0] != "warehouse" or name == "warehouse":
            continue
        if parts[1] not in stage:
            wrong.append((name, "in no stage"))
            continue
        wrong.extend((name, imported) for imported in imports(path, name, top_level=False)
                     if imported.startswith("warehouse.")
                     and stage.get(imported.split(".")[1], len(STAGES)) > stage[parts[1]])
    assert not wrong, wrong


# who reads the environment besides the settings (warehouse/infra/settings.py), and why
READS_THE_ENVIRONMENT = {
    "dagster_project/demo.py": "a root: loads .env and sets DAGSTER_HOME",
    "warehouse/ops/rekey.py": "a command: the former and the new key, secrets",
    "warehouse/schema/roles.py": "a command: the logins' password, a secret",
    "warehouse/ops/backup.py": "a command: where pg_dump is, and the environment it runs in",
}


def test_only_the_settings_and_the_listed_roots_read_the_environment():
    readers = {str(path.relative_to(ROOT)) for name, path in modules().items()
               if name.split(".")[0] in ("connectors", "warehouse", "dagster_project")
               and ("os.environ" in (text := path.read_text(encoding="utf-8")) or "getenv" in text)}
    assert readers == {"warehouse/infra/settings.py", *READS_THE_ENVIRONMENT}
