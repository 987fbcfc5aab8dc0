"""The package's layering: the import-linter contracts in pyproject.toml hold, and they bite."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint_imports(package_parent: Path) -> subprocess.CompletedProcess:
    assert LINT_IMPORTS.is_file(), "lint-imports is missing: import-linter is a dev dependency"
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(REPO / "pyproject.toml"), "--no-cache"],
        capture_output=True, text=True, check=False, cwd=package_parent,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(package_parent)})


def test_the_stages_depend_one_way_and_no_module_is_in_a_cycle():
    proc = _lint_imports(REPO)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Contracts: 3 kept, 0 broken." in proc.stdout


def _with_late_import(tmp_path: Path, module: str, imported: str) -> Path:
    """A copy of the package where `module` imports `imported` inside a function, as the
    old cycles did: import-linter sees function-level imports too."""
    shutil.copytree(REPO / "publisher", tmp_path / "publisher",
                    ignore=shutil.ignore_patterns("__pycache__", "data", "skeleton"))
    path = tmp_path / "publisher" / f"{module}.py"
    package, _, name = imported.rpartition(".")
    path.write_text(path.read_text(encoding="utf-8")
                    + f"\n\ndef _late():\n    from {package} import {name}  # noqa\n",
                    encoding="utf-8")
    return tmp_path


def test_an_import_against_the_stages_breaks_the_contract(tmp_path):
    proc = _lint_imports(_with_late_import(tmp_path, "text/chars", "publisher.pdf.typeset"))
    assert proc.returncode == 1
    assert "publisher.text.chars -> publisher.pdf.typeset" in proc.stdout


def test_a_cycle_inside_a_stage_breaks_the_contract(tmp_path):
    proc = _lint_imports(_with_late_import(tmp_path, "pdf/merge", "publisher.pdf.parts"))
    assert proc.returncode == 1
    assert "No cycles are allowed in publisher.pdf." in proc.stdout
    assert "publisher.pdf.merge is not allowed to import publisher.pdf.parts" in proc.stdout
