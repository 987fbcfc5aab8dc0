"""Render test paragraphs on a narrow zh-CN page and read their lines back from the PDF."""

from __future__ import annotations

import io

import pdfplumber
import weasyprint

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
