"""The in-memory book: one model that every output is built from."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

PLACE = "{place}"


@dataclass(frozen=True)
class Question:
    """A standard question shared by the interviews; `{place}` stands for the region."""

    id: str
    label: str
    text: str

    def for_region(self, forms: list[str]) -> list[str]:
        """The wordings this question may take in an interview about a region."""
        if PLACE not in self.text:
            return [self.text]
        return [self.text.replace(PLACE, form) for form in forms]

    def asked_by(self, question: str, region: str) -> bool:
        """Whether `question` is this one, as asked in an interview about `region`."""
        wanted = {squash(w) for w in self.for_region(place_forms(region))}
        return squash(question) in wanted


@dataclass(frozen=True)
class PageSettings:
    """Trim size, margins and body size of the printed book (CSS lengths)."""

    size: str = "A5"
    margins: str = "20mm 17mm 22mm 19mm"
    body_size: str = "10.5pt"
    line_height: str = "1.75"


@dataclass(frozen=True)
class Book:
    """Metadata and shared settings from `book.yaml`."""

    title: str
    subtitle: str
    language: str
    editors: tuple[str, ...]
    publisher: str
    edition: str
    date: dt.date
    identifier: str
    slug: str
    source_note: str = ""
    corrections_note: str = ""
    questions: tuple[Question, ...] = ()
    page: PageSettings = field(default_factory=PageSettings)
    path: str = "content/book.yaml"

    @property
    def timestamp(self) -> dt.datetime:
        """The edition's date at 00:00 UTC: what the outputs are dated when nothing overrides it."""
        return dt.datetime(self.date.year, self.date.month, self.date.day, tzinfo=dt.UTC)

    @property
    def full_title(self) -> str:
        return f"{self.title}——{self.subtitle}" if self.subtitle else self.title


@dataclass(frozen=True)
class Interviewee:
    name: str
    office: str


@dataclass(frozen=True)
class Portrait:
    """An image inside the project with its alternative text."""

    path: Path
    alt: str


@dataclass(frozen=True)
class QA:
    """One question and its answer paragraphs; `line` locates it in its file."""

    question: str
    answer: tuple[str, ...]
    line: int
    question_id: str | None = None


@dataclass(frozen=True)
class Interview:
    """One interview: a chapter of the book, filed under its region."""

    order: int
    slug: str
    region: str
    headline: str
    interviewee: Interviewee
    qa: tuple[QA, ...]
    path: str
    portrait: Portrait | None = None
    notes: tuple[str, ...] = ()

    @property
    def anchor(self) -> str:
        return f"ch-{self.slug}"

    def qa_anchor(self, index: int) -> str:
        return f"{self.anchor}-q{index + 1}"

    @property
    def portrait_file(self) -> str | None:
        """The portrait's file name inside the EPUB: made from the slug, never from input."""
        if self.portrait is None:
            return None
        suffix = ".png" if self.portrait.path.suffix.lower() == ".png" else ".jpg"
        return f"portrait-{self.slug}{suffix}"


@dataclass(frozen=True)
class Project:
    """A loaded book project: where it lives and what it says."""

    root: Path
    book: Book
    interviews: tuple[Interview, ...]
    layouts_dir: Path | None = None
    fonts_dir: Path | None = None

    @property
    def content_dir(self) -> Path:
        return self.root / "content"


_SQUASH = str.maketrans(",:;?!()", "，：；？！（）")


def squash(text: str) -> str:
    """A wording compared regardless of half- or full-width punctuation and spaces."""
    return re.sub(r"\s+", "", text.translate(_SQUASH))


_AUTONOMOUS = re.compile(r"^([\u4e00-\u9fff]{2,}?)(?:[\u4e00-\u9fff]{1,3}族)+自治(州|县|区|旗)$")
_ADMIN_SUFFIX = re.compile(
    r"(?:特别行政区|自治区|自治州|自治县|自治旗|地区|新区|市|州|县|区|省|盟|旗)$"
)


def place_forms(region: str) -> list[str]:
    """Ways a Chinese region's name appears in running text, longest first.

    成都市 → 成都市, 成都; 阿坝藏族羌族自治州 → 阿坝藏族羌族自治州, 阿坝州, 阿坝.
    """
    forms = [region]
    match = _AUTONOMOUS.match(region)
    if match:
        short, kind = match.groups()
        forms += [short + kind, short]
    else:
        short = _ADMIN_SUFFIX.sub("", region)
        if short and short != region and len(short) >= 2:
            forms.append(short)
    seen: list[str] = []
    for form in forms:
        if form and form not in seen:
            seen.append(form)
    return sorted(seen, key=len, reverse=True)
