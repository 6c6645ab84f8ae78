"""The package arrows point one way: core ← db ← providers ← jobs ← studio, tutor ← web, cli.

Every import in every module of ``src/framecast`` (at the top, inside functions, under
``TYPE_CHECKING``) is read with ``ast``; a module may import its own package and the packages of
lower layers only. Packages on one layer do not import each other (``studio`` and ``tutor`` are
separate products on the same core), except the command line serving the web app.
"""

from __future__ import annotations

import ast
from pathlib import Path

import framecast

SRC = Path(framecast.__file__).parent

LAYERS: dict[str, int] = {
    "core": 0,
    "db": 1,
    "providers": 2,
    "jobs": 3,
    # The GenAIPro emulator speaks the provider's protocol; only the CLI and tests start it.
    "emulators": 3,
    "studio": 4,
    "tutor": 4,
    "web": 5,
    "cli": 5,
    # ``python -m framecast``: the entry point.
    "__main__": 6,
    # framecast/__init__.py holds the version only; anyone may read it.
    "": -1,
}
# Same-layer arrows that are meant: ``framecast serve`` starts the web app.
ALLOWED_SIDEWAYS = {("cli", "web")}


def package_of(module: str) -> str:
    """``framecast.studio.zips`` -> ``studio``; ``framecast`` and names in its ``__init__`` -> ``""``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else ""


def module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(text: str, name: str, *, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, absolute module name) of every framecast import in the source of module ``name``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if node.module is None or target.count(".") == 1:
                # ``from framecast import x`` / ``from framecast.studio import x``: x may be a module.
                found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, target))
    return [(line, target) for line, target in found if target.split(".")[0] == "framecast"]


def arrows_against_the_layers() -> list[str]:
    wrong: list[str] = []
    for path in sorted(SRC.rglob("*.py")):
        source = package_of(module_name(path))
        text = path.read_text(encoding="utf-8")
        for line, target in imports_of(text, module_name(path), is_package=path.name == "__init__.py"):
            dest = package_of(target)
            if dest == source or dest not in LAYERS:
                continue
            if LAYERS[dest] < LAYERS[source] or (source, dest) in ALLOWED_SIDEWAYS:
                continue
            wrong.append(f"{path.relative_to(SRC.parent)}:{line}: {source or 'framecast'} imports {target}")
    return wrong


def test_every_import_points_down_the_layers() -> None:
    assert arrows_against_the_layers() == []


def test_the_walk_sees_lazy_relative_and_type_checking_imports() -> None:
    text = (
        "from typing import TYPE_CHECKING\n"
        "from . import hub\n"
        "from ..studio.zips import build\n"
        "if TYPE_CHECKING:\n"
        "    import framecast.web.app\n"
        "def f():\n"
        "    from framecast.tutor.hub import SessionHub\n"
    )
    assert [t for _, t in imports_of(text, "framecast.jobs.worker")] == [
        "framecast.jobs.hub",
        "framecast.studio.zips",
        "framecast.web.app",
        "framecast.tutor.hub",
    ]


def test_every_package_has_a_layer() -> None:
    packages = {p.name for p in SRC.iterdir() if (p / "__init__.py").is_file()}
    assert packages <= set(LAYERS), packages - set(LAYERS)
