"""The in-memory book: one model that every output is built from."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

PLACE = "{place}"
# What the importer writes in book.yaml where the manuscript cannot say: each printed on the
# cover, title page or copyright page until an editor replaces it (the linter warns).
PLACEHOLDERS = {"title": "未命名访谈集", "editors": "编者", "publisher": "出版者"}


@dataclass(frozen=True)
class Question:
    """A standard question shared by the interviews; `{place}` stands for the region."""

    id: str
    label: str
    text: str
    optional: bool = False  # asked of only some interviewees: its absence is no finding

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
class PrintSettings:
    """What the printer needs beyond the page: `print:` in book.yaml (docs/content-format.md)."""

    sheet: str = ""  # 开本 as sheet size and fold, e.g. "880mm×1230mm 1/32"; "" = the trim size
    caliper_mm: float = 0.1  # thickness of one leaf: 80 g/m² offset paper
    signature: int = 16  # pages per printed sheet (帖); the page count is made a multiple
    impression: str = ""  # 印次, e.g. "2024年5月第1次印刷"; "" = first printing, the edition's date
    price: str = ""  # 定价, e.g. "48.00元"; printed only when given


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
    printing: PrintSettings = field(default_factory=PrintSettings)
    path: str = "content/book.yaml"

    @property
    def isbn(self) -> str | None:
        """The 13 digits of the ISBN when the identifier is one (checked by the loader)."""
        return isbn_digits(self.identifier)

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
    key_lines: tuple[tuple[str, int], ...] = ()  # (key, line) of each top-level key read

    def line_of(self, key: str) -> int | None:
        """The line of a top-level key in the interview's file, if it was read from one."""
        return dict(self.key_lines).get(key)

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


def place_labels(interviews: tuple[Interview, ...] | list[Interview]) -> dict[str, str]:
    """Each interview's place as a list of places names it, by slug: the region, and where
    two interviews share a region, the interviewee's name too (玛曲县（才让）), or the
    headline where the name does not tell them apart either."""
    regions = [i.region for i in interviews]
    people = [(i.region, i.interviewee.name) for i in interviews]
    labels = {}
    for interview in interviews:
        if regions.count(interview.region) == 1:
            labels[interview.slug] = interview.region
            continue
        unique = people.count((interview.region, interview.interviewee.name)) == 1
        who = interview.interviewee.name if unique else interview.headline
        labels[interview.slug] = f"{interview.region}（{who}）"
    return labels


_SQUASH = str.maketrans(",:;?!()", "，：；？！（）")


def squash(text: str) -> str:
    """A wording compared regardless of half- or full-width punctuation and spaces."""
    return re.sub(r"\s+", "", text.translate(_SQUASH))


# The 55 recognised minority nationalities: an autonomous area is named place + peoples +
# 自治州/县/旗, and its short form drops the peoples (西双版纳傣族自治州 → 西双版纳州,
# 伊犁哈萨克自治州 → 伊犁州). Multi-character names may appear without 族.
_PEOPLES = sorted([
    "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白", "土家",
    "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇",
    "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌",
    "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔",
    "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺"], key=len, reverse=True)
_PEOPLE = re.compile("(?:" + "|".join(f"{p}族" if len(p) == 1 else f"{p}(?:族)?"
                                      for p in _PEOPLES) + ")$")
_AUTONOMOUS_KIND = re.compile("自治(州|县|旗)$")
_ADMIN_SUFFIX = re.compile(
    r"(?:特别行政区|自治区|自治州|自治县|自治旗|地区|新区|市|州|县|区|省|盟|旗)$"
)


def _autonomous_short(region: str) -> tuple[str, str] | None:
    """(place, kind) of an autonomous prefecture, county or banner: 凉山彝族自治州 → 凉山, 州."""
    kind = _AUTONOMOUS_KIND.search(region)
    if kind is None:
        return None
    place, stripped = region[:kind.start()], False
    while len(place) > 2 and (people := _PEOPLE.search(place)) and people.start() >= 2:
        place, stripped = place[:people.start()], True
    return (place, kind.group(1)) if stripped else None


def place_forms(region: str) -> list[str]:
    """Ways a Chinese region's name appears in running text, longest first.

    成都市 → 成都市, 成都; 阿坝藏族羌族自治州 → 阿坝藏族羌族自治州, 阿坝州, 阿坝.
    """
    forms = [region]
    autonomous = _autonomous_short(region)
    if autonomous:
        short, kind = autonomous
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


_ISBN = re.compile(r"\s*(?:urn:isbn:|isbn[:：]?)\s*(.*)", re.IGNORECASE)


def isbn_written(identifier: str) -> str | None:
    """What follows `urn:isbn:` or `ISBN` in an identifier, as written (978-7-…); None if the
    identifier is not an ISBN."""
    match = _ISBN.fullmatch(identifier)
    return match.group(1).strip() if match else None


def isbn_part(identifier: str) -> str | None:
    """The ISBN of an identifier with its separators removed; None if it is not an ISBN."""
    written = isbn_written(identifier)
    return None if written is None else re.sub(r"[-\s]", "", written)


def isbn_digits(identifier: str) -> str | None:
    """The 13 digits of a valid ISBN-13 identifier, else None."""
    digits = isbn_part(identifier)
    valid = digits and len(digits) == 13 and digits.isdigit()
    return digits if valid and isbn_check_digit(digits[:12]) == digits[12] else None


def isbn_check_digit(first12: str) -> str:
    """The ISBN-13 (EAN-13) check digit of twelve digits."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)
