"""Orchestrate a build: load and check everything, then typeset, then write atomically."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from publisher.load import load_project


@dataclass
class BuildResult:
    """What a build wrote."""

    outputs: dict[str, Path] = field(default_factory=dict)
    pages: int = 0


def write_atomic(target: Path, data: bytes) -> None:
    """Write to a temporary file beside the target, then rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build(project_dir: Path, output_dir: Path | None = None) -> BuildResult:
    """Build the PDF and the EPUB; nothing is written unless both succeed."""
    from publisher import epub, pdf

    project = load_project(project_dir)
    output_dir = output_dir or project.root / "output"
    typeset = pdf.typeset(project)
    epub_bytes = epub.package(project, typeset.anchor_pages)
    result = BuildResult(pages=typeset.pages)
    for suffix, data in (("pdf", typeset.data), ("epub", epub_bytes)):
        target = output_dir / f"{project.book.slug}.{suffix}"
        write_atomic(target, data)
        result.outputs[suffix] = target
    return result
