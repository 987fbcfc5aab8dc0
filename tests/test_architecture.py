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


def _copy(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "publisher", tmp_path / "publisher",
                    ignore=shutil.ignore_patterns("__pycache__", "data", "skeleton"))
    return tmp_path


def test_an_import_against_the_stages_breaks_the_contract(tmp_path):
    root = _copy(tmp_path)
    chars = root / "publisher/text/chars.py"
    # Inside a function, as the cycles were: import-linter sees function-level imports too.
    chars.write_text(chars.read_text(encoding="utf-8")
                     + "\n\ndef _late():\n    from publisher.pdf import typeset  # noqa\n",
                     encoding="utf-8")
    proc = _lint_imports(root)
    assert proc.returncode == 1
    assert "publisher.text.chars -> publisher.pdf.typeset" in proc.stdout


def test_a_cycle_inside_a_stage_breaks_the_contract(tmp_path):
    root = _copy(tmp_path)
    merge = root / "publisher/pdf/merge.py"
    merge.write_text(merge.read_text(encoding="utf-8")
                     + "\n\ndef _late():\n    from publisher.pdf import parts  # noqa\n",
                     encoding="utf-8")
    proc = _lint_imports(root)
    assert proc.returncode == 1
    assert "acyclic" in proc.stdout.lower() or "cycle" in proc.stdout.lower()
