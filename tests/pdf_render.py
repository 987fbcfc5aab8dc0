"""Render test paragraphs and parts as the workers do, and read lines back from the PDF."""

from __future__ import annotations

import io

import pdfplumber
import weasyprint

from publisher.check.pdftext import TOLERANCE
from publisher.text.typography import HALT_MARKS

PAGE_WIDTH, MARGIN, FONT_SIZE = 300, 36, 10  # pt
RIGHT = PAGE_WIDTH - MARGIN
STYLE = f"""
@page {{ size: {PAGE_WIDTH}pt 420pt; margin: {MARGIN}pt; }}
body {{ margin: 0; font-family: "Noto Serif CJK SC"; font-size: {FONT_SIZE}pt;
        line-height: 1.6; text-align: justify; }}
p {{ margin: 0 0 6pt; text-indent: 2em; }}
"""
# Invisible in the text layer: the joiners typography inserts, and spaces (a PDF has none).
INVISIBLE = "\u2060\u200b "

def render(paragraphs_html: list[str], css: str = "") -> bytes:
    """Render paragraphs of inline HTML on a narrow zh-CN page."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs_html)
    document = (
        f'<html lang="zh-CN"><head><meta charset="utf-8"><style>{STYLE}{css}</style>'
        f"</head><body>{body}</body></html>")
    return weasyprint.HTML(string=document).write_pdf()


def pdf_lines(pdf: bytes) -> list[list[dict]]:
    """Return the characters of each text line, in content-stream order."""
    lines: list[list[dict]] = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            top = None
            for char in page.chars:
                if top is None or abs(char["top"] - top) > 2:
                    lines.append([])
                    top = char["top"]
                lines[-1].append(char)
    return lines


def paragraph_lines(pdf: bytes, paragraphs: list[str]) -> list[list[list[dict]]]:
    """Group the PDF's lines by source paragraph, matching on the extracted text."""
    lines = pdf_lines(pdf)
    grouped, k = [], 0
    for paragraph in paragraphs:
        target = "".join(c for c in paragraph if c not in INVISIBLE)
        group, text = [], ""
        while len(text) < len(target):
            group.append(lines[k])
            text += "".join(c["text"] for c in lines[k] if c["text"] not in INVISIBLE)
            k += 1
        assert text == target, f"text layer differs:\n{text}\n{target}"
        grouped.append(group)
    assert k == len(lines)
    return grouped


def is_flush(line: list[dict], right: float = RIGHT) -> bool:
    """Whether the line reaches `right`, the edge of the space available to it."""
    end = right - line[-1]["x1"]
    # A compressed mark keeps its full width in the PDF font but only half an em of advance.
    halted = line[-1]["text"] in HALT_MARKS and abs(end + FONT_SIZE / 2) <= TOLERANCE
    return abs(end) <= TOLERANCE or halted


def flush_ratio(grouped: list[list[list[dict]]]) -> float:
    """The share of lines that are not a paragraph's last and reach the right edge."""
    lines = [line for group in grouped for line in group[:-1]]
    return sum(map(is_flush, lines)) / len(lines)


def worker_parts(documents: list[str], variant: str | None) -> tuple[list[bytes],
                                                                    dict[str, tuple[str, int]]]:
    """Write each HTML document as a part PDF with the part workers' own WeasyPrint hooks
    (publisher.pdf.worker): each face left for the merge, and the file fontconfig chose for it.
    Each part is numbered from page 1; WeasyPrint is restored afterwards."""
    import weasyprint.layout
    from weasyprint.pdf import fonts

    from publisher.pdf import worker as partworker

    class Standalone(partworker._Session):
        def offset(self, pages: int) -> int:
            return 0

    hooked = [(weasyprint.layout, "make_margin_boxes"), (fonts.Font, "__init__"),
              (fonts.Font, "clean")]
    saved = [(owner, name, getattr(owner, name)) for owner, name in hooked]
    session = Standalone(None)
    partworker._install(session)  # for good in a worker process; undone below
    try:
        parts = []
        for document in documents:
            session.paginated = False
            parts.append(weasyprint.HTML(string=document).write_pdf(
                pdf_variant=variant, uncompressed_pdf=False))
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)
    return parts, dict(session.font_files)
