"""The build's receipts: build-report.json and SHA256SUMS beside the artifacts."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from publisher import __version__, cache, guard
from publisher.content.model import Project
from publisher.names import FORMATS, REPORT_NAME, SUMS_NAME

REPORT_FORMAT = 1  # bump when a key changes meaning


def sha256(data: bytes) -> str:
    """Hex SHA-256 of some bytes."""
    return hashlib.sha256(data).hexdigest()


def sha256sums(files: dict[Path, bytes]) -> bytes:
    """SHA256SUMS in the format `sha256sum -c` reads: hash, two spaces, file name."""
    lines = [f"{sha256(data)}  {path.name}\n" for path, data in files.items()]
    return "".join(lines).encode()


MAX_ARTIFACT = 1_000_000_000  # bytes: a book's PDF is tens of MB; more is not an artifact
MAX_RECEIPT = 1_000_000  # SHA256SUMS and build-report.json are a few kB
ARTIFACTS = (*(f"*.{fmt}" for fmt in FORMATS), REPORT_NAME)  # what SHA256SUMS must list
_SUMS_LINE = re.compile(r"([0-9a-f]{64}) [ *]([^/\\\x00]+)")


def read_artifact(path: Path, output_dir: Path,
                  limit: int = MAX_ARTIFACT) -> tuple[bytes | None, str | None]:
    """An output file's bytes, or why it may not be read: only regular files whose real path
    lies in the output folder, and only up to `limit` bytes (a link to /dev/zero is refused)."""
    data, problems = guard.read_bytes(path, path.name, inside=output_dir, limit=limit)
    return data, (f"{path.name}: {problems[0].message}" if problems else None)


def verify_sums(output_dir: Path) -> list[str]:
    """Problems with output_dir/SHA256SUMS: unreadable, empty, a malformed line, a missing
    file, a hash that does not match, or an artifact in the folder that it does not list."""
    sums = output_dir / SUMS_NAME
    if not os.path.lexists(sums):
        return [f"{sums}: missing"]
    data, problem = read_artifact(sums, output_dir, MAX_RECEIPT)
    if data is None:
        return [str(output_dir / problem)]
    text, problems = guard.decode(data, str(sums))
    if text is None:
        return [str(problems[0])]
    listed: dict[str, int] = {}
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        match = _SUMS_LINE.fullmatch(line)
        name = match.group(2) if match else ""
        if not match or name in (".", ".."):
            found.append(f"{sums}:{number}: not a 'HASH  NAME' line (a SHA-256 and a file name)")
        elif name in listed:
            found.append(f"{sums}:{number}: {name} is listed twice (first on line {listed[name]})")
        else:
            listed[name] = number
            target, problem = read_artifact(output_dir / name, output_dir)
            if target is None:
                found.append(f"{sums}:{number}: {problem}")
            elif sha256(target) != match.group(1):
                found.append(f"{sums}:{number}: {name} does not match its checksum")
    if not listed and not found:
        found.append(f"{sums}: lists no file")
    present = sorted({p.name for pattern in ARTIFACTS for p in output_dir.glob(pattern)})
    found += [f"{sums}: {name} is in the folder but not listed" for name in present
              if name not in listed]
    return found


def report_problems(report: object) -> list[str]:
    """What is wrong with the shape of a parsed build-report.json (empty when usable)."""
    if not isinstance(report, dict):
        return [f"build-report.json: expected an object, got {type(report).__name__}"]
    problems = []
    artifacts = report.get("artifacts")
    if not isinstance(artifacts, dict) or not artifacts:
        problems.append("build-report.json: 'artifacts' must be an object naming each artifact")
        artifacts = {}
    for fmt, entry in artifacts.items():
        fields = entry if isinstance(entry, dict) else {}
        file, digest = fields.get("file"), fields.get("sha256")
        if not (isinstance(file, str) and _SUMS_LINE.fullmatch(f"{'0' * 64}  {file}")
                and file not in (".", "..")):
            problems.append(f"build-report.json: artifacts.{fmt}.file must be a file name")
        if not (isinstance(digest, str) and re.fullmatch(r"[0-9a-f]{64}", digest)):
            problems.append(f"build-report.json: artifacts.{fmt}.sha256 must be a SHA-256")
        pages = fields.get("pages")
        if pages is not None and (not isinstance(pages, int) or isinstance(pages, bool)):
            problems.append(f"build-report.json: artifacts.{fmt}.pages must be a number")
    book = report.get("book")
    if not isinstance(book, dict) or not isinstance(book.get("date"), str):
        problems.append("build-report.json: 'book' must be an object with a 'date'")
    return problems


@lru_cache(maxsize=32)
def font_details(path: Path, index: int = 0) -> dict[str, Any]:
    """A font file's hash and the version its name table declares, read with fontTools."""
    # A CJK face is some 20 MB: read and hashed once per file state, not once per build.
    return dict(_font_details(Path(path), index, cache.file_key(Path(path))))


@lru_cache(maxsize=32)
def _font_details(path: Path, index: int, file_key: str) -> tuple:
    from fontTools.ttLib import TTCollection, TTFont

    def read() -> bytes:
        if path.suffix.lower() in (".ttc", ".otc"):
            font = TTCollection(str(path), lazy=True).fonts[index]
        else:
            font = TTFont(str(path), lazy=True)
        name = font["name"]
        return json.dumps({
            "file": str(path),
            "index": index,
            "sha256": sha256(path.read_bytes()),
            "postscript_name": name.getDebugName(6),
            "version": name.getDebugName(5),
            "revision": round(float(font["head"].fontRevision), 3),
        }).encode()

    return tuple(json.loads(cache.cached_bytes("font-details", f"{file_key}|{index}",
                                                read)).items())


def embedded_fonts(pdf: bytes) -> list[str]:
    """Base names of the fonts a PDF embeds, without their subset tags, read with pikepdf."""
    import io

    import pikepdf

    names = set()
    with pikepdf.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            fonts = page.obj.get("/Resources", {}).get("/Font", {})
            for font in fonts.values():
                base = str(font.get("/BaseFont", "")).lstrip("/")
                names.add(base.split("+", 1)[-1])
    return sorted(names)


def _squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


@lru_cache(maxsize=1)
def _installed_fonts() -> dict[str, tuple[Path, int]]:
    """Installed faces by squashed PostScript and full name, from fontconfig."""
    if shutil.which("fc-list") is None:
        return {}
    out = subprocess.run(["fc-list", "-f", "%{postscriptname}|%{fullname}|%{file}|%{index}\n"],
                         capture_output=True, text=True, check=False).stdout
    found: dict[str, tuple[Path, int]] = {}
    for line in out.splitlines():
        parts = line.split("|")
        if len(parts) != 4 or not parts[3].isdigit():
            continue
        for name in (parts[0], *parts[1].split(",")):
            found.setdefault(_squash(name), (Path(parts[2]), int(parts[3])))
    return found


def locate_font(name: str, extra: Sequence[tuple[Path, int]] = ()) -> tuple[Path, int] | None:
    """The file behind a PDF font name such as Noto-Sans-CJK-SC-Bold, if one can be found."""
    wanted = _squash(name)
    candidates = {_squash(font_details(path, index)["postscript_name"] or ""): (path, index)
                  for path, index in extra}
    # WeasyPrint names a face family-style with hyphens and drops a "Regular" style.
    found = candidates.get(wanted) or candidates.get(wanted + "regular")
    if found is None:  # not a face the build resolved: ask fontconfig (fc-list) only now
        installed = _installed_fonts()
        found = installed.get(wanted) or installed.get(wanted + "regular")
    return found


def versions() -> dict[str, str]:
    """Versions of everything that shapes the output bytes."""
    import ctypes
    import ctypes.util

    # Asked of the library directly: importing WeasyPrint for one number costs 0.4 s.
    library = ctypes.util.find_library("pango-1.0") or "libpango-1.0.so.0"
    number = ctypes.CDLL(library).pango_version()
    found = {"publisher": __version__, "python": platform.python_version(),
             "pango": f"{number // 10000}.{number // 100 % 100}.{number % 100}"}
    found.update(cache.library_versions())
    return found


def build_report(project: Project, result: Any, files: dict[Path, bytes]) -> bytes:
    """build-report.json for a BuildResult and the artifact bytes about to be written."""
    artifacts = {}
    for fmt, path in result.outputs.items():
        data = files[path]
        artifacts[fmt] = {
            "file": path.name,
            "bytes": len(data),
            "sha256": sha256(data),
            **({"pages": result.pages} if fmt == "pdf" else {}),
            **result.details.get(fmt, {}),
        }
    fonts = []
    for face in result.fonts:
        fonts.append({"role": face.role, "family": face.family,
                      **font_details(Path(face.path), face.index)})
    embedded = []
    pdf_path = result.outputs.get("pdf")
    if pdf_path is not None:
        known = [(Path(face.path), face.index) for face in result.fonts]
        for name in embedded_fonts(files[pdf_path]):
            where = locate_font(name, known)
            embedded.append({"name": name, **(font_details(*where) if where else
                                              {"file": None, "sha256": None, "version": None})})
    report = {
        "report_format": REPORT_FORMAT,
        "book": {"title": project.book.full_title, "slug": project.book.slug,
                 "identifier": project.book.identifier, "date": project.book.date.isoformat()},
        "edition": result.edition,
        # What the preflight of `publisher check` needs to know about a print edition.
        **({"print": {"pdf_standard": result.variant,
                      "signature": project.book.printing.signature}}
           if result.edition == "print" else {}),
        "source_date": result.source_date.isoformat() if result.source_date else None,
        "formats": list(result.outputs),
        "artifacts": artifacts,
        "fonts": fonts,
        "embedded_fonts": embedded,
        "warnings": list(result.warnings),
        "timings": dict(result.timings),
        "versions": versions(),
    }
    return (json.dumps(report, ensure_ascii=False, indent=2) + "\n").encode()
