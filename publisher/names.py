"""The names every stage shares: formats, editions, PDF standards, file and folder names."""

from __future__ import annotations

import re
from pathlib import Path

FORMATS = ("pdf", "epub")
EDITIONS = ("screen", "print")
# The PDF standards (`--pdf-standard`), each as WeasyPrint's `pdf_variant` names it.
PDF_VARIANTS = {"ua": "pdf/ua-1", "a": "pdf/a-2b", "none": None,
                "x-4": "pdf/x-4", "x-1a": "pdf/x-1a"}
VARIANTS = tuple(PDF_VARIANTS)
# The PDF standards each edition takes, its default first: PDF/X only for the press.
EDITION_VARIANTS = {"screen": ("ua", "a", "none"), "print": ("x-4", "x-1a")}

# What a build writes beside the artifacts.
REPORT_NAME = "build-report.json"
SUMS_NAME = "SHA256SUMS"
STAMP_NAME = ".publisher-stamp.json"
COVER_SUFFIX = "-cover.pdf"  # the print edition's cover sheet beside `<slug>.pdf`

# A project's folders: what it is made of, and where a build writes by default.
CONTENT_DIR = "content"
INTERVIEWS_DIR = "interviews"  # inside content/
LAYOUTS_DIR = "layouts"
FONTS_DIR = "fonts"
OUTPUT_DIR = "output"
INPUT_DIRS = (CONTENT_DIR, LAYOUTS_DIR, FONTS_DIR)  # every input a build reads
BOOK_FILE = "book.yaml"  # inside content/


def is_project(folder: Path) -> bool:
    """Whether `folder` is a book project's own folder: it holds content/, layouts/ or a font
    configuration (the commands that want a content or an output folder refuse it)."""
    return any(p.exists() for p in (folder / CONTENT_DIR, folder / LAYOUTS_DIR,
                                    folder / FONTS_DIR / "fonts.yaml"))


def is_content(folder: Path) -> bool:
    """Whether `folder` is a project's content folder (book.yaml beside interviews/), passed
    where the project is wanted."""
    return (not (folder / CONTENT_DIR).exists() and (folder / BOOK_FILE).is_file()
            and (folder / INTERVIEWS_DIR).is_dir())


def output_name(slug: str, fmt: str) -> str:
    """The file an artifact (a FORMATS entry, or "cover") is written to."""
    return f"{slug}{COVER_SUFFIX}" if fmt == "cover" else f"{slug}.{fmt}"


def slugify(text: str, fallback: str) -> str:
    """Lowercase ASCII letters, digits and hyphens from `text`; `fallback` when none is left."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or fallback
