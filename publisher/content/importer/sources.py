"""Read a .txt, .md or .docx manuscript into paragraphs with their source line numbers."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from publisher import guard
from publisher.content import yamlsafe
from publisher.content.importer.notices import Notice
from publisher.errors import Problem
from publisher.text.chars import CJK

TEXT_SUFFIXES = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
                 ".docx": "docx"}
# A .docx is a zip: its own size is capped, and so is what it unpacks to, before any parsing
# (a zip bomb of a few kB can unpack to gigabytes).
DOCX_MAX_BYTES = 20_000_000
DOCX_MAX_UNPACKED = 80_000_000
DOCX_MAX_MEMBERS = 2_000
_HEADING_STYLE = re.compile(r"(?i)^(?:heading|标题)\s*[1-6]$|^(?:title|标题)$")
# What may be the book's title before the first interview (a rank: the higher, the surer).
_TITLE_STYLE = {re.compile(r"(?i)^(?:title|标题)$"): 2,
                re.compile(r"(?i)^(?:heading|标题)\s*1$"): 1}
# CommonMark does not close `**问：**答案` (a closing ** after punctuation and before a letter
# is not right-flanking): such pairs are left as text, and dropped here.
_LITERAL_STRONG = re.compile(r"\*\*([^*\n]{1,200}?)\*\*|__([^_\n]{1,200}?)__")
# Markdown footnotes (`[^1]` in the text, `[^1]: …` on a line of its own), which CommonMark
# would read as a link reference definition and drop.
_FOOTNOTE_DEF = re.compile(r"^ {0,3}\[\^([^\]\s]{1,20})\]:[ \t]*(.*)$")
_FOOTNOTE_REF = re.compile(r"\[\^([^\]\s]{1,20})\]")
FOOTNOTE_MOVED = "footnote moved to the interview's notes; its mark written as （注N）"
PORTRAIT_HINT = ("to print it as the interviewee's portrait, save it into content/images/ and "
                 "add `portrait: {src: images/…, alt: …}` to the interview "
                 "(docs/content-format.md)")


def _mark(number: object) -> str:
    """A footnote's mark in the text."""
    return f"（注{number}）"


def _note(number: object, text: str) -> str:
    """A footnote as the interview's note, which the loader prints after the interview."""
    return f"注{number}：{text}"


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of the manuscript: its text, where it starts, whether it is a heading,
    and the bold text it starts with (a speaker label is often bold)."""

    text: str
    line: int
    heading: bool = False
    strong: str = ""
    title: int = 0  # may be the book's title: 2 a Word Title, 1 a Heading 1, `#`, a set-off line
    notes: tuple[str, ...] = ()  # footnotes referred to in this paragraph, as `注1：…`


@dataclass
class Source:
    """What reading produced: paragraphs, tolerated irregularities, and unusable ones."""

    display: str
    paragraphs: list[Paragraph]
    notices: list[Notice]
    problems: list[Problem]


def read_source(path: Path, display: str) -> Source:
    """Read a manuscript through the guarded reader, by its suffix; never raises for bad input."""
    source = Source(display, [], [], [])
    kind = TEXT_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        hint = " (an old Word .doc: save it as .docx)" if path.suffix.lower() == ".doc" else ""
        source.problems.append(Problem(display, None, f"unknown manuscript format{hint}; "
                                                      "expected a .txt, .md or .docx file"))
        return source
    if kind == "docx":
        _read_docx(path, source)
    else:
        text, problems = guard.read_text(path, display)
        source.problems += problems
        if text is not None:
            _read_text(text, source, markdown=kind == "markdown")
    return source


def text_source(text: str, display: str, *, markdown: bool = False) -> Source:
    """The paragraphs of a manuscript's text (plain, or Markdown)."""
    source = Source(display, [], [], [])
    _read_text(text, source, markdown=markdown)
    return source


def _read_text(text: str, source: Source, *, markdown: bool) -> None:
    lines = _clean_lines(text.removeprefix("\ufeff"), source)
    if markdown:
        _read_markdown("\n".join(lines), source)
    else:
        source.paragraphs = [Paragraph(t.strip(), n) for n, t in enumerate(lines, 1) if t.strip()]
        first = source.paragraphs[0] if source.paragraphs else None
        # A first line set apart by a blank line may be the book's title.
        if first and first.line < len(lines) and not lines[first.line].strip():
            source.paragraphs[0] = Paragraph(first.text, first.line, title=1)


def _clean_lines(text: str, source: Source) -> list[str]:
    """Lines with CRLF/CR normalised and every character the loader refuses removed."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [_strip_refused(line, n, source) for n, line in enumerate(lines, 1)]


def _strip_refused(text: str, line: int, source: Source) -> str:
    if text.isprintable():  # no control, format, private-use, unassigned or separator character
        return text
    refused = yamlsafe.refused_characters(text)
    if not refused:
        return text
    for _, ch in refused:
        source.notices.append(Notice(source.display, line,
                                     f"removed the invisible character {yamlsafe.describe(ch)}"))
    drop = {ch for _, ch in refused}
    return "".join(ch for ch in text if ch not in drop)


def join_lines(parts: list[str]) -> str:
    """Join the lines of one paragraph: nothing between Chinese text, a space between words."""
    text = ""
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if text and not (CJK.match(text[-1]) or CJK.match(part[0])):
            text += " "
        text += part
    return text


def _footnotes(text: str) -> tuple[str, dict[str, tuple[int, str]]]:
    """The text without its footnote definitions (blank lines in their place, so line numbers
    stay), and the definitions: {id: (line, text)}; indented lines continue one."""
    lines, found, current = text.split("\n"), {}, None
    for number, line in enumerate(lines):
        m = _FOOTNOTE_DEF.match(line)
        if m:
            current = m[1]
            found[current] = (number + 1, m[2].strip())
        elif current and line.startswith(("  ", "\t")) and line.strip():
            first, body = found[current]
            found[current] = (first, join_lines([body, line]))
        else:
            current = None
            continue
        lines[number] = ""
    return "\n".join(lines), found


def _attach_notes(source: Source, notes: dict[str, tuple[int, str]]) -> None:
    """Each footnote goes with the paragraph that refers to it, as `注ID：text`, its mark in
    the text written as （注ID）; one referred to nowhere is a problem, not lost in silence."""
    used: set[str] = set()
    for k, para in enumerate(source.paragraphs):
        refs = [m[1] for m in _FOOTNOTE_REF.finditer(para.text) if m[1] in notes]
        if not refs:
            continue
        text = _FOOTNOTE_REF.sub(lambda m: _mark(m[1]) if m[1] in notes else m[0], para.text)
        attached = tuple(_note(ref, notes[ref][1]) for ref in dict.fromkeys(refs)
                         if ref not in used)
        used.update(refs)
        source.paragraphs[k] = Paragraph(text, para.line, para.heading, para.strong, para.title,
                                         para.notes + attached)
        source.notices.append(Notice(source.display, para.line, FOOTNOTE_MOVED))
    for ref, (line, _) in notes.items():
        if ref not in used:
            source.problems.append(Problem(source.display, line, f"footnote [^{ref}] is "
                                           "referred to nowhere in the text: refer to it or "
                                           "delete it"))


def _read_markdown(text: str, source: Source) -> None:
    from markdown_it import MarkdownIt  # imported when a Markdown file is read

    # Indented lines are paragraphs (manuscripts indent them), not code; HTML is text.
    md = MarkdownIt("commonmark", {"html": False}).disable("code")
    text, notes = _footnotes(text)
    tokens = md.parse(text)
    number = ""
    for index, token in enumerate(tokens):
        if token.type == "list_item_open":
            number = f"{token.info}{token.markup} " if token.info else ""
        elif token.type == "inline" and token.map:
            heading = tokens[index - 1].type == "heading_open"
            title = int(heading and tokens[index - 1].tag == "h1")
            line = token.map[0] + 1
            parts, strong = _inline(token.children or [], line, source)
            # A bold first line with more below it (`**问题？**` then the answer on the next
            # line) is a paragraph of its own, as a label's line is.
            first = parts[0].strip() if len(parts) > 1 else ""
            if first and not heading and strong and first == strong:
                source.paragraphs.append(Paragraph(_clean(first, line, source), line,
                                                   strong=strong))
                parts, strong, line = parts[1:], "", line + 1
            body = _clean(join_lines(parts), line, source)
            source.paragraphs.append(Paragraph(number + body, line, heading, strong, title))
            number = ""
        elif token.type == "fence" and token.map:
            for k, line in enumerate(token.content.split("\n")):
                if line.strip():
                    source.paragraphs.append(Paragraph(line.strip(), token.map[0] + 2 + k))
    source.paragraphs = [p for p in source.paragraphs if p.text]
    if notes:
        _attach_notes(source, notes)


def _clean(text: str, line: int, source: Source) -> str:
    """Literal bold marks dropped; a character reference (&#x202E;) can spell what the text
    itself may not hold, so what the loader refuses is removed again."""
    text = _LITERAL_STRONG.sub(lambda m: m.group(1) or m.group(2), text)
    return _strip_refused(text, line, source).strip()


def _inline(children: list, line: int, source: Source) -> tuple[list[str], str]:
    """The lines of a Markdown paragraph with formatting dropped, and its leading bold text."""
    parts: list[str] = [""]
    strong = ""
    first = next((c for c in children if c.type != "text" or c.content.strip()), None)
    collecting = first is not None and first.type == "strong_open"
    for child in children:
        if child.type in ("text", "code_inline"):
            parts[-1] += child.content
            strong += child.content if collecting else ""
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("")
        elif child.type == "strong_close":
            collecting = False
        elif child.type == "image":
            source.notices.append(Notice(source.display, line, _image_notice(child)))
    literal = _LITERAL_STRONG.match(join_lines(parts))
    if literal and not strong:
        strong = literal.group(1) or literal.group(2)
    return parts, strong.strip()


def _image_notice(image: object) -> str:
    src = str(image.attrs.get("src", "")) if hasattr(image, "attrs") else ""
    return f"image {src!r} not imported: {PORTRAIT_HINT}"


def _read_docx(path: Path, source: Source) -> None:
    data, problems = guard.read_bytes(path, source.display, limit=DOCX_MAX_BYTES)
    source.problems += problems
    if data is None:
        return
    problem = _unpack_check(data)
    if problem:
        source.problems.append(Problem(source.display, None, problem))
        return
    import docx  # python-docx, imported when a Word file is read

    try:
        document = docx.Document(io.BytesIO(data))
        footnotes: dict[str, tuple[int, str]] = {}  # w:id: (its number in order, its text)
        texts = _docx_footnotes(data)
        blocks = list(document.iter_inner_content())
        for number, block in enumerate(blocks, 1):
            if not isinstance(block, docx.text.paragraph.Paragraph):
                source.notices.append(Notice(source.display, number, "table not imported"))
                continue
            _docx_paragraph(block, number, source, texts, footnotes)
    except Exception as exc:  # noqa: BLE001 - any failure of the parser on a bad file
        source.problems.append(Problem(source.display, None, "cannot be read as a Word "
                                       f"document: {type(exc).__name__}: {str(exc)[:200]}"))


def _docx_paragraph(paragraph: object, number: int, source: Source, texts: dict[str, str],
                    footnotes: dict[str, tuple[int, str]]) -> None:
    if paragraph._p.xpath(".//w:drawing | .//w:pict"):
        source.notices.append(Notice(source.display, number,
                                     f"picture not imported: {PORTRAIT_HINT}"))
    style = paragraph.style.name if paragraph.style is not None else ""
    heading = bool(_HEADING_STYLE.match(style or ""))
    title = next((rank for pattern, rank in _TITLE_STYLE.items() if pattern.match(style or "")), 0)
    strong = ""
    for run in paragraph.runs:
        if not run.bold or not run.text:
            break
        strong += run.text
    full = paragraph.text
    refs = [r.get(f"{_W}id", "") for r in paragraph._p.iter(f"{_W}footnoteReference")]
    refs = [ref for ref in refs if ref in texts]
    if refs:
        for ref in refs:
            footnotes.setdefault(ref, (len(footnotes) + 1, texts[ref]))
        numbers = {ref: footnotes[ref][0] for ref in refs}
        full = _marked_text(paragraph, numbers)
        source.notices.append(Notice(source.display, number, FOOTNOTE_MOVED))
    # A line break inside a Word paragraph separates paragraphs, as a new line does in .txt.
    for k, line in enumerate(re.split(r"[\n\r]", full)):
        text = _strip_refused(line, number, source).strip()
        notes = tuple(_note(*footnotes[ref]) for ref in dict.fromkeys(refs)
                      if _mark(footnotes[ref][0]) in text)
        if text:
            source.paragraphs.append(Paragraph(text, number, heading, strong if k == 0 else "",
                                               title if k == 0 else 0, notes))


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx_footnotes(data: bytes) -> dict[str, str]:
    """The editor's footnotes of a Word file, {w:id: text}: python-docx does not read them."""
    from lxml import etree  # python-docx's own XML library

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if "word/footnotes.xml" not in archive.namelist():
            return {}
        root = etree.fromstring(archive.read("word/footnotes.xml"),
                                etree.XMLParser(resolve_entities=False, no_network=True))
    notes = {}
    for note in root.iter(f"{_W}footnote"):
        if note.get(f"{_W}type") is None:  # Word's separators carry a type; the editor's not
            text = "".join(t.text or "" for t in note.iter(f"{_W}t")).strip()
            notes[note.get(f"{_W}id", "")] = text
    return notes


def _marked_text(paragraph: object, numbers: dict[str, int]) -> str:
    """A Word paragraph's text with each footnote reference written as （注N）."""
    out = []
    for element in paragraph._p.iter(f"{_W}t", f"{_W}br", f"{_W}cr", f"{_W}tab",
                                     f"{_W}footnoteReference"):
        tag = element.tag.removeprefix(_W)
        if tag == "t":
            out.append(element.text or "")
        elif tag == "tab":
            out.append("\t")
        elif tag == "footnoteReference":  # one footnotes.xml lacks has no text to move
            ref = element.get(f"{_W}id", "")
            out.append(_mark(numbers[ref]) if ref in numbers else "")
        else:
            out.append("\n")
    return "".join(out)


def _unpack_check(data: bytes) -> str | None:
    """Why the zip container must not be unpacked, if it must not."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return "not a Word .docx file (it is not a zip archive); save it from Word as .docx"
    if len(members) > DOCX_MAX_MEMBERS:
        return f"the .docx holds {len(members):,} parts; the limit is {DOCX_MAX_MEMBERS:,}"
    unpacked = sum(m.file_size for m in members)
    if unpacked > DOCX_MAX_UNPACKED:
        return (f"the .docx unpacks to {unpacked:,} bytes; the limit is {DOCX_MAX_UNPACKED:,} "
                "(a zip bomb, or very large pictures: remove them)")
    if "word/document.xml" not in {m.filename for m in members}:
        return "not a Word .docx file (no word/document.xml inside)"
    return None
