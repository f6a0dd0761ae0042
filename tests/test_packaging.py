"""What installing the package puts in site-packages: a wheel built here, offline, holds the
``derivations`` namespace only (``cli/`` and ``templates/`` of the repository inside it), so no
top-level name of another project (``cli``, ``templates``) is taken."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    folder = tmp_path_factory.mktemp("wheel")
    source = folder / "source"  # a copy: the build leaves its build/ folder there, not here
    for part in ("derivations", "cli", "templates"):
        shutil.copytree(ROOT / part, source / part, ignore=shutil.ignore_patterns("__pycache__"))
    for part in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / part, source / part)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "--wheel-dir", str(folder), str(source)],
        capture_output=True, text=True)
    assert built.returncode == 0, built.stdout + built.stderr
    (path,) = folder.glob("derivations-*.whl")
    return zipfile.ZipFile(path)


def test_the_wheel_holds_only_the_derivations_package(wheel):
    tops = {name.split("/")[0] for name in wheel.namelist()}
    dist_info = {top for top in tops if top.endswith(".dist-info")}
    assert tops - dist_info == {"derivations"}
    names = set(wheel.namelist())
    assert {"derivations/cli/entry.py", "derivations/cli/help.txt",
            "derivations/templates/derivation.md.j2", "derivations/catalog/manifest.json"} <= names
    (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    assert "derive = derivations.cli.entry:main" in wheel.read(entry_points).decode()


def test_the_installed_templates_are_the_packages_own():
    from derivations.documents.render import builtin_template_dir

    import derivations.templates

    assert builtin_template_dir() == Path(derivations.templates.__file__).parent
    assert (builtin_template_dir() / "derivation.md.j2").is_file()
