"""The house's rules, checked on the source: arrows point one way, no import cycle, the
catalogs are data, the wheel lists every package, and feature folders list features."""

from __future__ import annotations

import ast
import importlib
import tomllib
from collections.abc import Iterator
from pathlib import Path

from tests.support.paths import ROOT
from tests.support.source import SOURCES, python_files

#: Who may import what, by top package: the composition root at the top, the models at
#: the bottom. A package may always import itself.
LAYERS: dict[str, set[str]] = {
    "bot.models": set(),
    "bot.core": {"bot.models"},
    "bot.delivery": {"bot.core", "bot.models"},
    "bot.mailing": {"bot.core", "bot.models", "bot.delivery"},
    "bot.members": {"bot.core", "bot.models", "bot.delivery", "bot.mailing"},
    "bot.activity": {"bot.core", "bot.models", "bot.delivery", "bot.members", "bot.mailing"},
    "bot.animation": {
        "bot.core",
        "bot.models",
        "bot.delivery",
        "bot.members",
        "bot.activity",
        "bot.mailing",
    },
    "bot.scheduling": {"bot.core", "bot.models"},
}


def modules() -> dict[str, Path]:
    found = {}
    for path in python_files():
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


def imports(path: Path, known: set[str]) -> Iterator[str]:
    """Every project module this file imports, at any depth (function-level and
    ``TYPE_CHECKING`` imports included): ``from a import b`` names ``a.b`` when it is a
    module, else ``a``."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in known:
                    yield alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                if full in known:
                    yield full
                elif node.module in known:
                    yield node.module


def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: set(imports(path, known)) - {name} for name, path in found.items()}


def package_of(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "bot" and len(parts) > 1 else parts[0]


def test_only_the_composition_root_imports_handlers_and_jobs() -> None:
    offenders = sorted(
        f"{module} imports {target}"
        for module, targets in graph().items()
        if module.startswith("bot") and module != "bot.runtime"
        for target in targets
        if target.split(".")[0] in {"handlers", "jobs"}
    )
    assert offenders == []


def test_no_import_cycle() -> None:
    edges = graph()
    # Tarjan's strongly connected components, iteratively.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    assert cycles == []


def test_lower_layers_never_import_upper_ones() -> None:
    offenders = []
    for module, targets in graph().items():
        allowed = LAYERS.get(package_of(module))
        if allowed is None:
            continue
        for target in targets:
            package = package_of(target)
            if package != package_of(module) and package not in allowed:
                offenders.append(f"{module} imports {target}")
    assert sorted(offenders) == []


def test_the_catalogs_are_data_not_a_package() -> None:
    """With the root on ``sys.path``, a ``locale`` package would shadow the standard
    library's ``locale``."""
    assert sorted(p.name for p in (ROOT / "locale").iterdir()) == ["en", "fr"]
    assert not list((ROOT / "locale").rglob("*.py"))
    import locale

    assert Path(locale.__file__ or "").parent != ROOT / "locale"


def test_the_wheel_lists_every_package() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(project["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in SOURCES
        for init in (ROOT / top).rglob("__init__.py")
    }
    catalogs = {
        f"bot.locale.{folder.parent.name}.LC_MESSAGES": f"locale/{folder.parent.name}/LC_MESSAGES"
        for folder in (ROOT / "locale").glob("*/LC_MESSAGES")
    }
    data = {"bot.migrations", "bot.migrations.versions", *catalogs}
    assert listed == on_disk | data
    assert project["tool"]["setuptools"]["package-dir"] == catalogs


def test_feature_folders_list_features() -> None:
    """``ls handlers/`` and ``ls jobs/`` read as feature lists: each module without a
    leading underscore is a router or a job in the table; helpers start with ``_``."""
    import handlers
    import jobs

    routers = {router.name for router in handlers.ROUTERS}
    for path in sorted((ROOT / "handlers").glob("[!_]*.py")):
        module = importlib.import_module(f"handlers.{path.stem}")
        assert getattr(module, "router", None) in handlers.ROUTERS, path.name
    assert len(routers) == len(handlers.ROUTERS)
    runs = set(map(id, jobs.JOBS.values()))
    for path in sorted((ROOT / "jobs").glob("[!_]*.py")):
        module = importlib.import_module(f"jobs.{path.stem}")
        exported = [value for value in vars(module).values() if id(value) in runs]
        assert exported, f"jobs/{path.name} runs no job of the table"
