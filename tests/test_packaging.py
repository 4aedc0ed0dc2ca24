"""The built wheel: every package of the source tree is in it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile

from clinic import PROJECT_ROOT


def source_packages() -> set[str]:
    """Dotted names of the directories under clinic/ with an __init__.py."""
    return {
        ".".join(init.parent.relative_to(PROJECT_ROOT).parts)
        for init in (PROJECT_ROOT / "clinic").rglob("__init__.py")
    }


def test_the_wheel_holds_every_package(tmp_path):
    """Does a wheel built from the tree hold every package under clinic/, new ones included?"""
    # built from a copy, so that the build leaves nothing in the working tree
    source = tmp_path / "source"
    shutil.copytree(
        PROJECT_ROOT / "clinic", source / "clinic", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(PROJECT_ROOT / name, source)
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = tmp_path.glob("clinic-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        packaged = {
            name.removesuffix("/__init__.py").replace("/", ".")
            for name in archive.namelist()
            if name.endswith("/__init__.py")
        }
    assert source_packages() - packaged == set(), "packages missing from the wheel"
