"""Time a no-op rebuild check (digest + stamp) and the CLI's start-up, in fresh processes."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

CHECK = """
import sys
from pathlib import Path
from publisher import cache
digest = cache.inputs_digest(Path(sys.argv[1]), {"formats": ["pdf", "epub"]})
sys.exit(0 if cache.fresh_summary(Path(sys.argv[2]), digest) is not None else 3)
"""


def _timed(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, cwd=REPO, check=True, capture_output=True)
    return time.perf_counter() - started


def measure(project: Path, repeats: int = 5) -> dict[str, float]:
    """Median seconds: the stamp check alone, and importing the CLI module as well."""
    from publisher import cache

    with tempfile.TemporaryDirectory(prefix="publisher-noop-") as tmp:
        out = Path(tmp)
        # Stand-in outputs of realistic size: the check hashes them to catch hand edits.
        pdf = out / "book.pdf"
        pdf.write_bytes(b"%PDF-1.7\n" + bytes(1_000_000))
        digest = cache.inputs_digest(project, {"formats": ["pdf", "epub"]})
        cache.write_stamp(out, digest, [pdf], {"pages": 0})
        check = [sys.executable, "-c", CHECK, str(project), str(out)]
        cli = [sys.executable, "-c", "import publisher.cli; " + CHECK, str(project), str(out)]
        times = {"stamp check": [], "stamp check + import publisher.cli": []}
        for _ in range(repeats):
            times["stamp check"].append(_timed(check))
            times["stamp check + import publisher.cli"].append(_timed(cli))
    return {name: statistics.median(values) for name, values in times.items()}


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    for name, seconds in measure(REPO).items():
        print(f"{name}: {seconds:.3f} s")
