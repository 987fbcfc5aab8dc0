"""Load a project's content/ into the book model, collecting every problem before failing."""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from publisher.content import geometry, yamlsafe
from publisher.content.model import (
    PLACE,
    QA,
    Book,
    Interview,
    Interviewee,
    PageSettings,
    Portrait,
    PrintSettings,
    Project,
    Question,
    isbn_check_digit,
    isbn_part,
)
from publisher.errors import ContentError, Problem

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})+$")
# The glyph forms (Simplified, Traditional, Hong Kong) follow from a region or a script
# subtag: HarfBuzz maps zh-CN, zh-SG and zh-Hans to the font's ZHS forms, zh-TW and zh-Hant to
# ZHT, zh-HK to ZHH. Plain zh names neither, and a reading system (or fontconfig, choosing a
# face by language) may then set Japanese forms (docs/content-format.md).
CHINESE = re.compile(r"zh-(?:(?:Hans|Hant)(?:-[A-Z]{2})?|[A-Z]{2})", re.IGNORECASE)
CSS_LENGTH = re.compile(r"^\d+(?:\.\d+)?(?:mm|cm|in|pt|px|pc|em)?$")
SHEET = re.compile(r"\d{3,4}mm\s*[×x]\s*\d{3,4}mm\s*1/\d{1,3}")
CALIPER = re.compile(r"0?\.\d{1,3}\s*mm|0\.\d{1,3}")
SIGNATURE = re.compile(r"4|8|16|32|64")
MAX_TEXT = 20_000  # characters in one field: a long answer is ~1,000
FIRST_DATE, LAST_DATE = dt.date(1980, 1, 1), dt.date(2099, 12, 31)
MAX_SLUG = 100  # bytes: `SLUG.epub` and its temporary sibling stay far below 255-byte names
# Counts that keep a build's time bounded; the first book has 21 interviews of 10 pairs.
MAX_QUESTIONS = 100
MAX_INTERVIEWS = 300
MAX_PAIRS = 200
MAX_LIST = 200  # any other list: paragraphs of an answer, notes, editors


class Reader:
    """Turns YAML nodes into typed values; every mismatch becomes a located problem."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def error(self, node: yaml.Node | None, message: str) -> None:
        line = node.start_mark.line + 1 if node is not None else None
        self.problems.append(Problem(self.path, line, message))

    def mapping(
        self, node: yaml.Node | None, spec: dict[str, tuple[bool, Callable[[yaml.Node], Any]]],
        what: str,
    ) -> dict[str, Any] | None:
        """Read a mapping against `spec` = {key: (required, reader)}.

        A missing required key reads as None, like a value that could not be read: a caller
        building from the values checks for None, never meets a KeyError.
        """
        if not isinstance(node, yaml.MappingNode):
            self.error(node, f"{what}: expected a mapping, got {_kind(node)}")
            return None
        values: dict[str, Any] = {}
        present = {}
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else None
            if name not in spec:
                known = ", ".join(spec)
                written = {k.value for k, _ in node.value}
                # A misspelt key is near a key of the schema that is not written.
                unread = [k for k in spec if k not in written]
                close = difflib.get_close_matches(str(name), unread, n=1, cutoff=0.6)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                self.error(key, f"{what}: unknown key {name!r}{hint} (known keys: {known})")
                continue
            present[name] = value
            values[name] = spec[name][1](value)
        for name, (required, _) in spec.items():
            if required and name not in present:
                self.error(node, f"{what}: missing required key {name!r}")
                values[name] = None
        return values

    def text(self, node: yaml.Node, *, empty_ok: bool = False) -> str | None:
        if not isinstance(node, yaml.ScalarNode):
            self.error(node, f"expected text, got {_kind(node)}")
            return None
        value = node.value
        if not empty_ok and not value.strip():
            self.error(node, "expected text, got an empty value")
            return None
        if len(value) > MAX_TEXT:
            self.error(node, f"text of {len(value):,} characters; the limit is {MAX_TEXT:,}")
            return None
        return value

    def optional_text(self, node: yaml.Node) -> str | None:
        return self.text(node, empty_ok=True)

    def integer(self, node: yaml.Node) -> int | None:
        if not isinstance(node, yaml.ScalarNode) or not re.fullmatch(r"[1-9]\d{0,5}", node.value):
            self.error(node, f"expected a positive whole number, got {_show(node)}")
            return None
        return int(node.value)

    def boolean(self, node: yaml.Node) -> bool | None:
        value = node.value.lower() if isinstance(node, yaml.ScalarNode) else ""
        if value in ("true", "yes"):
            return True
        if value in ("false", "no"):
            return False
        self.error(node, f"expected true or false, got {_show(node)}")
        return None

    def date(self, node: yaml.Node) -> dt.date | None:
        value = node.value if isinstance(node, yaml.ScalarNode) else ""
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            try:
                date = dt.date.fromisoformat(value)
            except ValueError:
                pass
            else:
                if FIRST_DATE <= date <= LAST_DATE:
                    return date
                # ZIP (the EPUB) stores years 1980-2107 only; PDF dates have four digits.
                self.error(node, f"date {value}: expected a date from {FIRST_DATE} to "
                                 f"{LAST_DATE}")
                return None
        self.error(node, f"expected a date as YYYY-MM-DD, got {_show(node)}")
        return None

    def slug(self, node: yaml.Node) -> str | None:
        """A slug: it names output files and EPUB entries, so it is short and path-safe."""
        value = self.matching(SLUG, "lowercase letters, digits and hyphens")(node)
        if value is not None and len(value) > MAX_SLUG:
            self.error(node, f"slug of {len(value)} characters; the limit is {MAX_SLUG} "
                             "(it becomes a file name)")
            return None
        return value

    def matching(
        self, pattern: re.Pattern[str], expected: str
    ) -> Callable[[yaml.Node], str | None]:
        def read(node: yaml.Node) -> str | None:
            value = self.text(node)
            if value is not None and not pattern.fullmatch(value):
                self.error(node, f"expected {expected}, got {value!r}")
                return None
            return value

        return read

    def sequence(self, item: Callable[[yaml.Node], Any],
                 what: str) -> Callable[[yaml.Node], list | None]:
        def read(node: yaml.Node) -> list | None:
            if isinstance(node, yaml.ScalarNode) and what == "paragraphs":
                return [item(node)]  # a one-paragraph answer may be written as plain text
            if not isinstance(node, yaml.SequenceNode):
                self.error(node, f"expected a list of {what}, got {_kind(node)}")
                return None  # unread, as a value of the wrong kind is: not an empty list
            return [item(child) for child in node.value]

        return read


def _kind(node: yaml.Node | None) -> str:
    if node is None:
        return "nothing"
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return f"the text {node.value!r}" if node.value else "an empty value"


def _show(node: yaml.Node) -> str:
    return _kind(node) if not isinstance(node, yaml.ScalarNode) else repr(node.value)


def read_book(doc: yamlsafe.Document) -> tuple[Book | None, list[Problem]]:
    """Read book.yaml against the book schema (documented in docs/content-format.md)."""
    r = Reader(doc.path)

    def question(node: yaml.Node) -> Question | None:
        v = r.mapping(node, {
            "id": (True, r.matching(SLUG, "an id of lowercase letters, digits and hyphens")),
            "label": (True, r.text),
            "text": (True, r.text),
            "optional": (False, r.boolean),
        }, "question")
        if not v or None in v.values():
            return None
        return Question(v["id"], v["label"], v["text"], v.get("optional", False))

    def printing(node: yaml.Node) -> PrintSettings | None:
        v = r.mapping(node, {
            "sheet": (False, r.matching(SHEET, "a sheet size and fold such as "
                                               "880mm×1230mm 1/32")),
            "paper_caliper": (False, r.matching(CALIPER, "a leaf's thickness in mm, such as "
                                                         "0.1mm")),
            "signature": (False, r.matching(SIGNATURE, "pages per printed sheet: 4, 8, 16, "
                                                       "32 or 64")),
            "impression": (False, r.text),
            "price": (False, r.text),
        }, "print")
        if not v or None in v.values():
            return None
        return PrintSettings(
            sheet=v.get("sheet", ""), impression=v.get("impression", ""),
            price=v.get("price", ""), signature=int(v.get("signature", 16)),
            caliper_mm=float(v.get("paper_caliper", "0.1mm").removesuffix("mm")))

    def page(node: yaml.Node) -> PageSettings | None:
        length = r.matching(CSS_LENGTH, "a CSS length such as 10.5pt or 20mm")

        def lengths(n: yaml.Node) -> str | None:
            value = r.text(n)
            if value is not None and not all(CSS_LENGTH.fullmatch(p) for p in value.split()):
                r.error(n, f"expected one to four CSS lengths, got {value!r}")
                return None
            return value

        size = r.matching(re.compile(r"(?:A[3-6]|B[4-6]|letter|\d+(?:\.\d+)?mm \d+(?:\.\d+)?mm)"),
                          "A4, A5, A6, B5, letter or 'WIDTHmm HEIGHTmm'")
        v = r.mapping(node, {
            "size": (False, size), "margins": (False, lengths),
            "body_size": (False, length), "line_height": (False, r.matching(
                re.compile(r"\d(?:\.\d+)?"), "a number such as 1.75")),
        }, "page")
        if not v or None in v.values():
            return None
        settings = PageSettings(**v)
        keys = {k.value: k for k, _ in node.value}
        for key, message in geometry.check(settings):
            r.error(keys.get(key, node), f"page: {message}")
        return settings

    def language(node: yaml.Node) -> str | None:
        value = r.text(node)
        if value is not None and not LANGUAGE.fullmatch(value):
            why = (" (or a script, such as zh-Hans): plain zh names neither, and a reading "
                   "system may then set Japanese glyph forms"
                   if value.lower() == "zh" else "")
            r.error(node, f"expected a language tag with a region, such as zh-CN, got "
                          f"{value!r}{why}")
            return None
        if value is not None and value.split("-")[0].lower() == "zh" \
                and not CHINESE.fullmatch(value):
            r.error(node, f"language {value!r}: a Chinese book names its region or script: "
                          "zh-CN, zh-TW, zh-HK, zh-Hans, zh-Hant, zh-Hans-CN…")
            return None
        return value

    v = r.mapping(doc.root, {
        "title": (True, r.text),
        "subtitle": (False, r.optional_text),
        "language": (True, language),
        "editors": (True, r.sequence(r.text, "names")),
        "publisher": (True, r.text),
        "edition": (True, r.text),
        "date": (True, r.date),
        "identifier": (True, r.text),
        "slug": (True, r.slug),
        "source_note": (False, r.optional_text),
        "corrections_note": (False, r.optional_text),
        "questions": (False, r.sequence(question, "questions")),
        "page": (False, page),
        "print": (False, printing),
    }, "book")
    if v and v.get("identifier"):
        _check_isbn(r, doc.root, v["identifier"])
    if v is None or r.problems:
        return None, r.problems
    questions = tuple(v.pop("questions", []) or [])
    ids = [q.id for q in questions]
    for dup in {i for i in ids if ids.count(i) > 1}:
        r.error(doc.root, f"question id {dup!r} is used twice")
    book = Book(
        title=v["title"], subtitle=v.get("subtitle") or "", language=v["language"],
        editors=tuple(v["editors"]), publisher=v["publisher"], edition=v["edition"],
        date=v["date"], identifier=v["identifier"], slug=v["slug"],
        source_note=v.get("source_note") or "", corrections_note=v.get("corrections_note") or "",
        questions=questions, page=v.get("page") or PageSettings(),
        printing=v.get("print") or PrintSettings(), path=doc.path,
    )
    return (None if r.problems else book), r.problems


def _check_isbn(r: Reader, root: yaml.Node, identifier: str) -> None:
    """An identifier that names an ISBN must be a valid ISBN-13 (its barcode must scan)."""
    digits = isbn_part(identifier)
    if digits is None:
        return
    node = next((v for k, v in root.value if k.value == "identifier"), root)
    if len(digits) != 13 or not digits.isdigit():
        r.error(node, f"identifier {identifier!r}: an ISBN must have 13 digits (ISBN-13)")
    elif isbn_check_digit(digits[:12]) != digits[12]:
        r.error(node, f"identifier {identifier!r}: wrong ISBN check digit {digits[12]} "
                      f"(expected {isbn_check_digit(digits[:12])})")


def read_interview(doc: yamlsafe.Document, root: Path) -> tuple[Interview | None, list[Problem]]:
    """Read one interview file against the interview schema."""
    r = Reader(doc.path)

    def interviewee(node: yaml.Node) -> Interviewee | None:
        v = r.mapping(node, {"name": (True, r.text), "office": (True, r.text)}, "interviewee")
        return Interviewee(**v) if v and None not in v.values() else None

    def qa(node: yaml.Node) -> QA | None:
        v = r.mapping(node, {
            "question": (True, r.text),
            "answer": (True, r.sequence(r.text, "paragraphs")),
        }, "question–answer pair")
        if not v or None in v.values():
            return None
        if not v["answer"]:
            answer = next(a for k, a in node.value if k.value == "answer")
            r.error(answer, "the answer is empty")
            return None
        if None in v["answer"]:
            return None
        return QA(v["question"], tuple(v["answer"]), node.start_mark.line + 1)

    def portrait(node: yaml.Node) -> Portrait | None:
        v = r.mapping(node, {"src": (True, r.text), "alt": (True, r.text)}, "portrait")
        if not v or None in v.values():
            return None
        from publisher.content.images import check_portrait  # the image guard lives with images

        path, problems = check_portrait(root, v["src"], doc.path, node.start_mark.line + 1)
        r.problems.extend(problems)
        return Portrait(path, v["alt"]) if path else None

    v = r.mapping(doc.root, {
        "order": (True, r.integer),
        "slug": (True, r.slug),
        "region": (True, r.text),
        "headline": (True, r.text),
        "interviewee": (True, interviewee),
        "qa": (True, r.sequence(qa, "question–answer pairs")),
        "portrait": (False, portrait),
        "notes": (False, r.sequence(r.text, "notes")),
    }, "interview")
    if v is None or r.problems:
        return None, r.problems
    if not v["qa"]:
        r.error(doc.root, "interview has no question–answer pairs")
    interview = Interview(
        order=v["order"], slug=v["slug"], region=v["region"], headline=v["headline"],
        interviewee=v["interviewee"], qa=tuple(v["qa"]), path=doc.path,
        portrait=v.get("portrait"), notes=tuple(v.get("notes") or ()),
        key_lines=tuple((key.value, key.start_mark.line + 1) for key, _ in doc.root.value),
    )
    return (None if r.problems else interview), r.problems


def match_questions(book: Book, interview: Interview) -> Interview:
    """Tag each pair with the standard question it asks, found by wording wherever it is.

    Interviewers skip questions and ask their own, so position says nothing: a pair gets the
    first standard question, not yet asked in this interview, whose wording it has.
    """
    taken: set[str] = set()
    tagged = []
    for pair in interview.qa:
        found = next((q for q in book.questions
                      if q.id not in taken and q.asked_by(pair.question, interview.region)), None)
        if found is not None:
            taken.add(found.id)
        tagged.append(QA(pair.question, pair.answer, pair.line, found and found.id))
    return Interview(**{**interview.__dict__, "qa": tuple(tagged)})


def load_project(root: Path) -> Project:
    """Load and check the whole project; raise ContentError listing every problem."""
    root = root.resolve()
    content = root / "content"
    problems: list[Problem] = []
    book_file = content / "book.yaml"
    if not os.path.lexists(book_file):
        raise ContentError([Problem(_rel(book_file, root), None,
                                    "missing: a project needs content/book.yaml")])
    # Every file goes through the guarded reader: a directory, FIFO, device, symlink loop or
    # link out of the project named *.yaml is reported, never opened.
    doc, found = yamlsafe.read(book_file, _rel(book_file, root), root)
    problems += found
    book = None
    if doc:
        found = yamlsafe.long_lists(doc, {"questions": MAX_QUESTIONS}, MAX_LIST)
        if not found:
            book, found = read_book(doc)
        problems += found
    interviews: list[Interview] = []
    folder = content / "interviews"
    files = yamlsafe.yaml_files(folder)
    if not files:
        problems.append(Problem(_rel(folder, root), None, "no interview files (*.yaml) found"))
    if len(files) > MAX_INTERVIEWS:
        problems.append(Problem(_rel(folder, root), None, f"{len(files):,} interview files; "
                                                          f"the limit is {MAX_INTERVIEWS:,}"))
        files = []
    identities: list[tuple[str, dict[str, tuple[object, int]]]] = []
    for file in files:
        doc, found = yamlsafe.read(file, _rel(file, root), root)
        problems += found
        if doc:
            # Read apart from the rest, so a clash is reported even when the file has
            # other problems (a missing portrait, an empty answer) in the same run.
            identities.append((doc.path, _identity(doc)))
            found = yamlsafe.long_lists(doc, {"qa": MAX_PAIRS}, MAX_LIST)
            if not found:
                interview, found = read_interview(doc, root)
                interviews += [interview] if interview else []
            problems += found
    problems += _check_unique(identities)
    if problems or book is None:
        raise ContentError(problems)
    interviews.sort(key=lambda i: i.order)
    interviews = [match_questions(book, i) for i in interviews]
    layouts = root / "layouts"
    fonts = root / "fonts"
    return Project(root, book, tuple(interviews),
                   layouts if layouts.is_dir() else None, fonts if fonts.is_dir() else None)


def _identity(doc: yamlsafe.Document) -> dict[str, tuple[object, int]]:
    """An interview file's order and slug with their lines, where they are valid values
    (an invalid one is reported by read_interview)."""
    found: dict[str, tuple[object, int]] = {}
    if not isinstance(doc.root, yaml.MappingNode):
        return found
    for key, value in doc.root.value:
        name = key.value if isinstance(key, yaml.ScalarNode) else None
        if name not in ("order", "slug") or name in found or not isinstance(
                value, yaml.ScalarNode):
            continue
        if name == "order" and re.fullmatch(r"[1-9]\d{0,5}", value.value):
            found[name] = (int(value.value), key.start_mark.line + 1)
        elif name == "slug" and SLUG.fullmatch(value.value) and len(value.value) <= MAX_SLUG:
            found[name] = (value.value, key.start_mark.line + 1)
    return found


def _check_unique(identities: list[tuple[str, dict[str, tuple[object, int]]]]) -> list[Problem]:
    """An order or slug used by two interview files, at the key's line in the later file.

    Every file that parsed takes part, read or not: all the problems come in one run.
    """
    problems = []
    for attr in ("order", "slug"):
        seen: dict[object, str] = {}
        for path, identity in identities:
            if attr not in identity:
                continue
            value, line = identity[attr]
            if value in seen:
                problems.append(Problem(path, line,
                                        f"{attr} {value!r} is also used by {seen[value]}"))
            seen.setdefault(value, f"{path}:{line}")
    return problems


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


__all__ = ["load_project", "read_book", "read_interview", "PLACE"]
