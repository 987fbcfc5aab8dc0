"""Time a no-op rebuild check (digest + stamp) and the CLI's import, in fresh processes."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

SETUP = """
import sys
from pathlib import Path
from publisher import cache
out = Path(sys.argv[2])
# A stand-in output of realistic size: the check hashes the outputs to catch hand edits.
pdf = out / "book.pdf"
pdf.write_bytes(b"%PDF-1.7\\n" + bytes(1_000_000))
digest = cache.inputs_digest(Path(sys.argv[1]), {"formats": ["pdf", "epub"]})
cache.write_stamp(out, digest, [pdf], {"pages": 0})
"""

CHECK = """
import sys
from pathlib import Path
from publisher import cache
digest = cache.inputs_digest(Path(sys.argv[1]), {"formats": ["pdf", "epub"]})
sys.exit(0 if cache.fresh_summary(Path(sys.argv[2]), digest) is not None else 3)
"""


def _timed(argv: list[str], env: Mapping[str, str] | None) -> float:
    started = time.perf_counter()
    subprocess.run(argv, cwd=REPO, check=True, capture_output=True, env=env)
    return time.perf_counter() - started


def measure(project: Path, repeats: int = 5,
            env: Mapping[str, str] | None = None) -> dict[str, float]:
    """Median seconds: the stamp check alone, and importing the CLI module as well.

    `env` is the measured processes' environment (its PYTHONPATH picks the tool); the stamp
    is written by a process in the same environment, so that the check finds it fresh.
    """
    env = dict(env) if env is not None else {**os.environ, "PYTHONPATH": str(REPO)}
    with tempfile.TemporaryDirectory(prefix="publisher-noop-") as tmp:
        out = Path(tmp)
        subprocess.run([sys.executable, "-c", SETUP, str(project), str(out)], cwd=REPO,
                       check=True, capture_output=True, env=env)
        check = [sys.executable, "-c", CHECK, str(project), str(out)]
        cli = [sys.executable, "-c", "import publisher.cli; " + CHECK, str(project), str(out)]
        times = {"stamp check": [], "stamp check + import publisher.cli": []}
        for _ in range(repeats):
            times["stamp check"].append(_timed(check, env))
            times["stamp check + import publisher.cli"].append(_timed(cli, env))
    return {name: statistics.median(values) for name, values in times.items()}


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    for name, seconds in measure(REPO).items():
        print(f"{name}: {seconds:.3f} s")
