"""Write a plain Typst document with the same text and page settings as a project's PDF."""

from __future__ import annotations

from pathlib import Path

from publisher.content.load import load_project


def _string(text: str) -> str:
    """A Typst string literal: text set this way can never be read as markup."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'#"{escaped}"'


def _margins(css: str) -> str:
    parts = css.split()
    top, right, bottom, left = {1: parts * 4, 2: parts * 2, 3: [*parts, parts[1]],
                                4: parts}[len(parts)]
    return f"(top: {top}, right: {right}, bottom: {bottom}, left: {left})"


def typ_source(project_dir: Path) -> str:
    """The book as Typst markup: A5, Noto Serif CJK SC, justified, a chapter per interview."""
    project = load_project(project_dir)
    book, page = project.book, project.book.page
    leading = float(page.line_height) - 1
    lines = [
        f'#set page(paper: "a5", margin: {_margins(page.margins)}, numbering: "1")',
        f'#set text(font: "Noto Serif CJK SC", size: {page.body_size}, lang: "zh", region: "cn")',
        f"#set par(justify: true, leading: {leading:.2f}em, first-line-indent: 2em)",
        '#show heading: set text(font: "Noto Sans CJK SC")',
        '#show heading.where(level: 1): it => { pagebreak(weak: true); it }',
        "",
        f"#align(center)[#text(size: 20pt)[{_string(book.title)}]]",
        f"#align(center)[{_string(book.subtitle)}]",
        "#pagebreak()",
        "#outline()",
    ]
    for interview in project.interviews:
        lines += ["", f"= {_string(interview.region + ' ' + interview.headline)}", "",
                  _string(f"{interview.interviewee.office} {interview.interviewee.name}"), ""]
        for pair in interview.qa:
            bold = '#text(font: "Noto Sans CJK SC", weight: "bold")'
            lines += [f"{bold}[{_string(pair.question)}]", ""]
            for paragraph in pair.answer:
                lines += [_string(paragraph), ""]
        for note in interview.notes:
            lines += [f"#text(size: 8pt)[{_string(note)}]", ""]
    return "\n".join(lines) + "\n"


def write_typ(project_dir: Path, target: Path) -> Path:
    """Write the Typst twin of the project to `target`; return it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(typ_source(project_dir), encoding="utf-8")
    return target
