"""Import raw interview articles (headline, office line, 问/答 pairs) into content YAML."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pypinyin import lazy_pinyin

from publisher.errors import ContentError, Problem
from publisher.model import PLACE, place_forms

# A marker is 问 or 答 at the start of a line, with a half- or full-width colon or none.
MARKER = re.compile(r"^(?P<mark>[问答])(?P<colon>[:：]?)\s*")
NAME = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")
# Tried in order: 泸州市 is a city (市) although 州 comes first; 阿坝州 has no 市.
REGIONS = [re.compile(p) for p in (
    r"^.{1,12}?(?:族)?自治(?:州|县|区|旗)", r"^.{1,10}?特别行政区", r"^.{1,6}?市",
    r"^.{1,6}?(?:州|地区|盟)", r"^.{1,6}?(?:县|区|旗)", r"^.{1,6}?省",
)]
# Titles that end an office in Chinese officialdom; used only when a name has no separator.
TITLES = (
    "主席", "书记", "主任", "部长", "局长", "院长", "会长", "理事长", "秘书长", "市长",
    "州长", "县长", "区长", "省长", "校长", "董事长", "总经理", "经理", "社长", "主编",
    "馆长", "所长", "处长", "厅长", "队长", "委员", "代表", "总监", "总裁", "负责人",
)


@dataclass
class ImportedPair:
    question: str
    answer: list[str]
    line: int


@dataclass
class ImportedInterview:
    headline: str
    office: str
    name: str
    region: str
    line: int
    pairs: list[ImportedPair] = field(default_factory=list)


@dataclass
class ImportResult:
    interviews: list[ImportedInterview]
    notices: list[Problem]
    questions: list[dict[str, str]]


def parse_source(text: str, path: str) -> ImportResult:
    """Split a source text into interviews; raise ContentError if its shape is not recognised."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    notices: list[Problem] = []
    problems: list[Problem] = []

    def marker(index: int) -> re.Match[str] | None:
        return MARKER.match(lines[index]) if 0 <= index < len(lines) else None

    def is_question(index: int) -> bool:
        m = marker(index)
        return bool(m and m["mark"] == "问")

    # An interview starts where two unmarked lines (headline, office) precede a question.
    starts = [i for i in range(len(lines) - 2)
              if not marker(i) and not marker(i + 1) and is_question(i + 2)
              and lines[i].strip() and lines[i + 1].strip()]
    if not starts:
        raise ContentError([Problem(path, 1, "no interview found: expected a headline line, an "
                                             "office-and-name line, then lines starting with 问:")])
    if starts[0] != 0:
        notices.append(Problem(path, 1, f"lines 1–{starts[0]} come before the first interview "
                                        "and were not imported"))
    offices = [lines[s + 1] for s in starts]
    endings = _office_endings(offices)
    interviews = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        office, name = _split_office(lines[start + 1], endings, path, start + 2, notices, problems)
        region = _region(office)
        if not region:
            problems.append(Problem(path, start + 2, f"cannot tell the region from {office!r}"))
        interview = ImportedInterview(lines[start], office, name, region or "", start + 1)
        _read_pairs(lines, start + 2, end, interview, path, notices, problems)
        interviews.append(interview)
    if problems:
        raise ContentError(problems)
    return ImportResult(interviews, notices, _standard_questions(interviews))


def _read_pairs(lines: list[str], first: int, end: int, interview: ImportedInterview,
                path: str, notices: list[Problem], problems: list[Problem]) -> None:
    expect = "问"
    for index in range(first, end):
        line, lineno = lines[index], index + 1
        m = MARKER.match(line)
        if m and m["mark"] == expect:
            mark = m["mark"]
            if not m["colon"]:
                notices.append(Problem(path, lineno, f"{mark} without a colon; read as {mark}:"))
            elif m["colon"] == ":":
                notices.append(Problem(path, lineno, f"half-width colon after {mark}; accepted"))
            body = line[m.end():]
            if not body.strip():
                what = "question" if expect == "问" else "answer"
                problems.append(Problem(path, lineno, f"empty {what}"))
            if expect == "问":
                interview.pairs.append(ImportedPair(body, [], lineno))
                expect = "答"
            else:
                interview.pairs[-1].answer.append(body)
                expect = "问"
        elif expect == "问" and interview.pairs and not m:
            if line.strip():
                interview.pairs[-1].answer.append(line)  # a further paragraph of the answer
                notices.append(Problem(path, lineno, "unmarked line after an answer; read as a "
                                                     "further paragraph of that answer"))
        else:
            want = "question (问:)" if expect == "问" else "answer (答:)"
            problems.append(Problem(path, lineno, f"expected a {want}, got {line[:20]!r}"))
            return
    if expect == "答":
        problems.append(Problem(path, end, "the last question has no answer"))


def _office_endings(offices: list[str]) -> set[str]:
    """Office endings seen in well-formed lines (office, space, name) of this source."""
    endings = set()
    for line in offices:
        parts = line.split()
        if len(parts) >= 2 and NAME.match(parts[-1]):
            office = " ".join(parts[:-1])
            endings.add(office[-2:])
    return endings


def _split_office(line: str, endings: set[str], path: str, lineno: int,
                  notices: list[Problem], problems: list[Problem]) -> tuple[str, str]:
    parts = line.split()
    if len(parts) >= 2:
        return line[: line.rstrip().rindex(parts[-1])].rstrip(), parts[-1]
    # No separator: find where a known title ends and a 2–4 character name begins.
    for title in sorted(set(TITLES) | endings, key=len, reverse=True):
        cut = line.rfind(title)
        if cut > 0 and NAME.match(line[cut + len(title):]):
            office, name = line[: cut + len(title)], line[cut + len(title):]
            notices.append(Problem(path, lineno, f"name run into the office line; read as office "
                                                 f"{office!r} and name {name!r}"))
            return office, name
    problems.append(Problem(path, lineno, f"cannot split {line!r} into office and name; "
                                          "put a space before the name"))
    return line, ""


def _region(office: str) -> str | None:
    for pattern in REGIONS:
        match = pattern.match(office)
        if match:
            return match.group(0)
    return None


def _standard_questions(interviews: list[ImportedInterview]) -> list[dict[str, str]]:
    """The commonest wording of each question position, with the region replaced by {place}."""
    count = max((len(i.pairs) for i in interviews), default=0)
    questions = []
    for k in range(count):
        wordings = Counter()
        for interview in interviews:
            if k < len(interview.pairs):
                text = interview.pairs[k].question
                for form in place_forms(interview.region):
                    if form in text:
                        text = text.replace(form, PLACE)
                        break
                wordings[text] += 1
        text, seen = wordings.most_common(1)[0]
        if seen * 2 > len(interviews):
            label = re.sub(r"[，,？?！!。：:]+$", "", text.replace(PLACE, "")).strip("，, ")
            questions.append({"id": f"q{k + 1}", "label": label[:24], "text": text})
    return questions


def slugify(region: str) -> str:
    """A readable ASCII slug from a Chinese region name: 成都市 → chengdu."""
    short = place_forms(region)[-1]
    words = lazy_pinyin(short, errors=lambda chars: [c for c in chars if c.isascii()])
    # As the pinyin apostrophe does (Xi'an), separate a syllable that starts with a vowel.
    joined = "".join(("-" if i and w[:1] in "aeo" else "") + w for i, w in enumerate(words))
    slug = re.sub(r"[^a-z0-9]+", "-", joined.lower()).strip("-")
    return slug or "interview"


def _dump(data: object) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1_000_000)


def write_content(result: ImportResult, out: Path, source_name: str) -> list[Path]:
    """Write one YAML file per interview, and book.yaml when there is none."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "interviews").mkdir(exist_ok=True)
    written = []
    slugs: Counter[str] = Counter()
    for order, item in enumerate(result.interviews, 1):
        slug = slugify(item.region)
        slugs[slug] += 1
        if slugs[slug] > 1:
            slug = f"{slug}-{slugs[slug]}"
        data = {
            "order": order, "slug": slug, "region": item.region, "headline": item.headline,
            "interviewee": {"name": item.name, "office": item.office},
            "qa": [{"question": p.question, "answer": p.answer} for p in item.pairs],
        }
        target = out / "interviews" / f"{order:02d}-{slug}.yaml"
        header = f"# Imported from {source_name}, line {item.line}.\n"
        target.write_text(header + _dump(data), encoding="utf-8")
        written.append(target)
    book = out / "book.yaml"
    if not book.exists():
        book.write_text(_dump({
            "title": "未命名访谈集", "subtitle": "", "language": "zh-CN",
            "editors": ["编者"], "publisher": "出版者", "edition": "第1版",
            "date": "2000-01-01", "identifier": "urn:isbn:0000000000000",
            "slug": "book", "source_note": f"据 {source_name} 整理。",
            "questions": result.questions,
        }), encoding="utf-8")
        written.append(book)
    return written


def import_file(source: Path, out: Path) -> tuple[ImportResult, list[Path]]:
    """Read a source file and write its content; the source text is never altered."""
    display = str(source)
    try:
        text = source.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        problem = Problem(display, None, f"not valid UTF-8 at byte {exc.start}")
        raise ContentError([problem]) from None
    except OSError as exc:
        raise ContentError([Problem(display, None, f"cannot read: {exc.strerror}")]) from None
    result = parse_source(text.removeprefix("\ufeff"), display)
    return result, write_content(result, out, source.name)
