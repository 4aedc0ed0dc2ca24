"""The layers of DESIGN.md "Shape", read from the imports of every module under clinic/."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from clinic import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "clinic"
DOORS = ("clinic.web", "clinic.api")
"""The two doors: pages and JSON. Neither imports the other."""
AT_THE_DOOR = ("clinic.http",)
"""What both doors share around a request (headers, cache, limits): below the doors, above
the domain."""
FLOOR = ("clinic.kernel", "clinic.models")
"""What every domain package stands on; it stands on nothing of the domain."""


def packages() -> tuple[str, ...]:
    """Every package directly under clinic/, read from the folders."""
    return tuple(
        f"clinic.{folder.name}"
        for folder in sorted(PACKAGE.iterdir())
        if (folder / "__init__.py").exists()
    )


DOMAIN = tuple(name for name in packages() if name not in DOORS + AT_THE_DOOR + FLOOR)
"""Every other package is the domain (scheduling, setup, accounts, audit, notifications, and
whatever comes next), with the floor beneath it."""
BELOW_THE_DOORS = DOMAIN + FLOOR
REQUEST_BOUND = (
    "flask.globals",
    "flask.request",
    "flask.session",
    "flask.url_for",
    "flask.g",
    "flask_login.current_user",
)
"""What belongs to one request: the domain takes plain values (and the actor) instead."""


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    """Whether a dotted name is one of the prefixes or inside one."""
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def module_name(path: Path) -> str:
    """The dotted name of a module file under clinic/ (a package's __init__ is the package)."""
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(source: str, module: str, is_package: bool) -> Iterator[tuple[int, str]]:
    """(line, absolute dotted name) of everything a module imports, relative imports resolved:
    `from ..web import forms` in clinic.setup.staff gives clinic.web and clinic.web.forms, and
    `import flask` then `flask.request` gives flask.request."""
    package = module if is_package else module.rpartition(".")[0]
    tree = ast.parse(source)
    modules = {
        alias.asname or alias.name: alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
        ):
            yield node.lineno, f"{modules[node.value.id]}.{node.attr}"
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                anchor = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{anchor}.{base}" if base else anchor
            yield node.lineno, base
            for alias in node.names:
                if alias.name != "*":
                    yield node.lineno, f"{base}.{alias.name}"


def breaches(layer: tuple[str, ...], forbidden: tuple[str, ...]) -> list[str]:
    """ "path:line imports name" for each import of a forbidden name by a module of the layer."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = module_name(path)
        if not within(module, layer):
            continue
        source = path.read_text(encoding="utf-8")
        for line, name in imported_names(source, module, path.name == "__init__.py"):
            if within(name, forbidden):
                found.append(f"{path.relative_to(PROJECT_ROOT)}:{line} ({module}) imports {name}")
    return found


def all_modules() -> dict[str, Path]:
    """Every module under clinic/ by dotted name."""
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def dependencies(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The modules of clinic/ that `module` imports, each as the module it loads: `from .. import
    audit` loads clinic.audit (not the package's __init__, which every submodule's loading runs
    anyway), `from ..scheduling import Conflict` loads clinic.scheduling's __init__."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in modules}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                anchor = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:
                if f"{base}.{alias.name}" in modules:
                    found.add(f"{base}.{alias.name}")
                elif base in modules:
                    found.add(base)
    return found


def reachable(start: str, modules: dict[str, Path]) -> dict[str, str]:
    """Every module `start` loads directly or through others, each with the module that
    imports it on the way."""
    seen, stack = {start: ""}, [start]
    while stack:
        current = stack.pop()
        for name in dependencies(current, modules[current], modules):
            if name not in seen:
                seen[name] = current
                stack.append(name)
    return seen


def test_relative_imports_are_resolved():
    """Does the import reader see `from .. import web` and `from ..api import x` for what they
    are?"""
    source = "from .. import web\nfrom ..api.schemas import X\nfrom . import policy\n"
    assert {name for _, name in imported_names(source, "clinic.scheduling.slots", False)} == {
        "clinic",
        "clinic.web",
        "clinic.api.schemas",
        "clinic.api.schemas.X",
        "clinic.scheduling",
        "clinic.scheduling.policy",
    }
    in_a_package = imported_names("from ... import api", "clinic.web.desk", is_package=True)
    assert "clinic.api" in {name for _, name in in_a_package}


def test_a_module_used_by_attribute_counts_as_imported():
    """Is `import flask` followed by `flask.request` seen as using flask.request?"""
    source = "import flask\nimport flask_login as fl\nuser = fl.current_user\nflask.request\n"
    names = {name for _, name in imported_names(source, "clinic.setup.staff", False)}
    assert {"flask.request", "flask_login.current_user"} <= names


def test_the_layout_names_every_package():
    """Is every package under clinic/ a door, at the door, the floor or the domain, and are the
    ones this test names there?"""
    assert set(DOORS + AT_THE_DOOR + FLOOR) <= set(packages())
    assert {"clinic.scheduling", "clinic.setup", "clinic.accounts"} <= set(DOMAIN)


def test_every_folder_is_a_package_the_layers_see():
    """Is every folder under clinic/ a package (an `__init__.py`), so that no module sits in a
    namespace folder the layers cannot see, and is every module in a layer or the wiring?"""
    folders = [
        folder for folder in PACKAGE.rglob("*") if folder.is_dir() and folder.name != "__pycache__"
    ]
    assert [str(f) for f in folders if not (f / "__init__.py").exists()] == []
    layered = DOORS + AT_THE_DOOR + BELOW_THE_DOORS
    wiring = {f"clinic.{name}" for name in ("config", "extensions", "cli", "demo")} | {"clinic"}
    assert [m for m in all_modules() if not within(m, layered) and m not in wiring] == []


def test_the_top_level_holds_only_the_wiring():
    """Are the loose modules of clinic/ only the app's wiring (the factory, settings,
    extensions, commands, demo data)? Anything else belongs in a package."""
    loose = {path.stem for path in PACKAGE.glob("*.py")}
    assert loose == {"__init__", "config", "extensions", "cli", "demo"}


def test_the_domain_stays_free_of_request_url_for_and_the_doors():
    """Does the domain (and its floor) stay free of request, session, url_for, the doors and
    what sits at them?"""
    assert breaches(BELOW_THE_DOORS, (*REQUEST_BOUND, *DOORS, *AT_THE_DOOR)) == []


def test_the_floor_stands_on_nothing_of_the_domain():
    """Do the kernel and the models import no domain package, directly or through another
    module?"""
    assert breaches(FLOOR, DOMAIN) == []
    modules = all_modules()
    found = [
        f"{module} reaches {name} (imported by {via})"
        for module in modules
        if within(module, FLOOR)
        for name, via in reachable(module, modules).items()
        if within(name, DOMAIN)
    ]
    assert found == []


def test_what_sits_at_the_doors_imports_neither_door():
    """Does clinic/http/ stay free of web/ and api/?"""
    assert breaches(AT_THE_DOOR, DOORS) == []


def test_the_web_side_never_imports_the_api():
    """Does nothing under clinic/web/ import clinic.api?"""
    assert breaches(("clinic.web",), ("clinic.api",)) == []


def test_the_api_never_imports_the_web_side():
    """Does nothing under clinic/api/ import clinic.web?"""
    assert breaches(("clinic.api",), ("clinic.web",)) == []


def test_no_layer_reaches_a_door_through_another_module():
    """Does no module below the doors load web/, api/ or http/ indirectly either (through a
    helper that imports them), and no door the other one, whatever the chain?"""
    modules = all_modules()
    above = {
        BELOW_THE_DOORS: DOORS + AT_THE_DOOR,
        AT_THE_DOOR: DOORS,
        ("clinic.web",): ("clinic.api",),
        ("clinic.api",): ("clinic.web",),
    }
    found = [
        f"{module} reaches {name} (imported by {via})"
        for layer, forbidden in above.items()
        for module in modules
        if within(module, layer)
        for name, via in reachable(module, modules).items()
        if within(name, forbidden)
    ]
    assert found == []


def test_an_indirect_import_of_a_door_is_found(tmp_path, monkeypatch):
    """Is a chain domain → helper → web seen for what it is?"""
    modules = {
        "clinic.scheduling.x": tmp_path / "x.py",
        "clinic.helper": tmp_path / "helper.py",
        "clinic.web.forms": tmp_path / "forms.py",
    }
    modules["clinic.scheduling.x"].write_text("from .. import helper\n")
    modules["clinic.helper"].write_text("from .web.forms import Form\n")
    modules["clinic.web.forms"].write_text("Form = object\n")
    assert reachable("clinic.scheduling.x", modules) == {
        "clinic.scheduling.x": "",
        "clinic.helper": "clinic.scheduling.x",
        "clinic.web.forms": "clinic.helper",
    }


def test_the_domain_names_no_page():
    """Does no domain module build a page's address (`external_url`, `url_for`)? The doors
    hand in the builders of the links it needs (`links.use`)."""
    found = []
    for module, path in all_modules().items():
        if not within(module, BELOW_THE_DOORS):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            called = getattr(node, "func", None)
            name = getattr(called, "attr", None) or getattr(called, "id", None)
            if isinstance(node, ast.Call) and name in ("external_url", "url_for"):
                found.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno} calls {name}")
    assert found == []
