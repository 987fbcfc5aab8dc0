"""Recognise the interviews in a manuscript: headline, interviewee, questions, answers."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from publisher.content import yamlsafe
from publisher.content.importer.notices import Notice
from publisher.content.importer.sources import Paragraph, Source
from publisher.content.importer.speakers import (
    ACCEPTED_FORMS,
    MAX_OFFICE_LINE,
    Label,
    Speakers,
    is_long_name,
    looks_like_name,
    looks_like_office,
    mentions_office,
    office_endings,
    region_of,
    speakers_of,
    split_office,
)
from publisher.content.load import MAX_TEXT
from publisher.content.model import PLACE, place_forms, squash
from publisher.errors import ContentError, Problem
from publisher.text.chars import CJK
from publisher.text.places import place_at_start

MAX_INTERVIEWS = 1_000  # a book of interviews; more is a wrong file, not a book
MAX_PROBLEMS = 100  # then stop: a wrong file would otherwise list thousands
MAX_PARAGRAPHS = 5_000  # in one interview; the loader refuses files of 100,000 YAML nodes
_CLOSERS = "”’」』）)]】 \t"
_FIXED = Speakers("", "")
# An editor's note after an answer: `注：`, `注1：`, `注①:`; it goes to the interview's notes.
_NOTE = re.compile(r"注\s*[0-9０-９①-⑳一二三四五六七八九十]{0,3}\s*[:：]")
# Spaces no one types on purpose between Chinese characters: the no-break space (copied from
# web pages and Word), the typographic spaces U+2000–U+200A, the zero-width space, the
# narrow no-break and medium mathematical spaces, the word joiner, the ideographic space
# and a BOM. Ordinary spaces are the editor's to judge and are kept.
_ODD_SPACES = "\u00a0\u2000-\u200b\u202f\u205f\u2060\u3000\ufeff"
_ODD_RUN = re.compile(f"[{_ODD_SPACES}]+")
_LAST_CHARS = "。！？!?…；;"  # a sentence ends here: no headline or interviewee line
SENTENCE_END = re.compile(r"[。！？!?；;]")  # a sentence, not a book's title
MAX_TITLE = 60


@dataclass
class ImportedPair:
    question: str
    answer: list[str]
    line: int
    index: int = 0  # the question's paragraph, to look at what stands before it


@dataclass
class ImportedInterview:
    headline: str
    office: str
    name: str
    region: str
    line: int
    pairs: list[ImportedPair] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    interviews: list[ImportedInterview]
    notices: list[Notice]
    questions: list[dict[str, object]]
    title: str = ""  # the book's title, when the manuscript gives one unambiguously
    title_line: int | None = None


class _Reader:
    """Walks the paragraphs once, interview by interview, collecting notices and problems."""

    def __init__(self, source: Source) -> None:
        self.display = source.display
        self.paras = source.paragraphs
        self.notices = list(source.notices)
        self.problems = list(source.problems)
        self._offices: dict[int, tuple[str, str, str] | None] = {}
        self.title_index: int | None = None
        self.endings = office_endings([p.text for p in self.paras
                                       if len(p.text) <= MAX_OFFICE_LINE])

    def notice(self, line: int, kind: str) -> None:
        self.notices.append(Notice(self.display, line, kind))

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.display, line, message))

    def office(self, index: int) -> tuple[str, str, str] | None:
        if index >= len(self.paras) or self.paras[index].heading:
            return None
        if index not in self._offices:
            self._offices[index] = split_office(self.paras[index].text, self.endings)
        return self._offices[index]

    def label(self, index: int, speakers: Speakers, state: str,
              ahead: bool = False) -> Label | None:
        """The speaker label of a paragraph, if it is to be trusted as one."""
        if index >= len(self.paras) or self.paras[index].heading:
            return None
        para = self.paras[index]
        found = speakers.match(para.text, para.strong)
        if found is None and not ahead and _all_bold(para):
            return self._bold_question(index, speakers)
        if found is None or found.colon or found.strong:
            return found
        if found.spaced and not found.label.isascii():  # `问 今年…`; but `A 级` may be a word
            return found
        if speakers.is_word(found):
            return None
        if found.role == "answer":
            # Where an answer must come, `答` or the interviewee's name is its label; after an
            # answer, a paragraph that begins with the name is a further paragraph.
            return found if state == "question" else None
        if _asks(found.body):
            return found
        if ahead:
            return None
        after = self.label(index + 1, speakers, "question", ahead=True)
        # `A` glued to a word (A级) is no label; `A 级` is one when a question precedes it.
        sure = after and (after.colon or after.strong or after.spaced
                          or not after.label.isascii())
        return found if sure and after.role == "answer" else None

    def _bold_question(self, index: int, speakers: Speakers) -> Label | None:
        """A paragraph all in bold, without a label, is a question when it asks one
        (`**您为什么回乡？**`) or when an answer label follows it (`**谈谈家乡。**`, `答：…`)."""
        text = self.paras[index].text
        if _asks(text):
            return Label("question", "", "", text, True)
        after = self.label(index + 1, speakers, "question", ahead=True)
        if after and after.role == "answer" and (after.colon or after.strong):
            return Label("question", "", "", text, True)
        return None

    def starts_interview(self, index: int, current: Speakers) -> bool:
        """A heading, or a headline, followed by an office-and-name line (and, for a plain
        headline, by a question: an answer's last paragraphs are not an interview)."""
        office = self.office(index + 1)
        if office is None:
            return False
        if self.paras[index].heading:
            return True
        if _labelled(current, self.paras[index + 1]):
            return False  # `何主席 谢谢` is the interviewee 何何 answering, not an office line
        found = self.label(index + 2, speakers_of(office[1], office[0]), "begin")
        asked = found is not None and found.role == "question"
        if is_long_name(office[1]) and not (asked and (found.colon or found.strong)):
            return False  # a long name is trusted only before a labelled question
        if not looks_like_office(office[0]):
            # A calling no list has (合作社会计, 藏医, 民警) is an office all the same before a
            # labelled question, when the name reads as one: `甲市妇联 供稿` is a sentence.
            if not (asked and (found.colon or found.strong) and looks_like_name(office[1])):
                return False
            self.notice(self.paras[index + 1].line, "an office that ends in no known title: "
                        "check the office and the name")
        if asked:
            headline = self.paras[index].text
            if not _labelled(current, self.paras[index]):  # a headline is no labelled line
                if headline.endswith("。"):
                    self.notice(self.paras[index].line, "a headline that ends with a full stop: "
                                "check it is not the last paragraph of the answer before it")
                return True
            self.problem(self.paras[index + 1].line, "an interview starts here with no "
                                                     "headline: put one on the line before")
            return False
        answer = self.label(index + 2, speakers_of(office[1], office[0]), "question")
        if answer and answer.role == "answer" and (answer.colon or answer.strong):
            self.problem(self.paras[index + 1].line,
                         f"{self.paras[index + 1].text!r} reads as an office-and-name line "
                         "starting an interview, but an answer follows it: the interview's "
                         "first question is missing")
        return False

    def read(self) -> list[ImportedInterview]:
        interviews: list[ImportedInterview] = []
        current: ImportedInterview | None = None
        speakers = Speakers("", "")
        state, skip, preamble, body = "begin", False, [], 0
        for index, para in enumerate(self.paras):
            if len(self.problems) > MAX_PROBLEMS:
                break
            if skip:
                skip = False
                continue
            if len(para.text) > MAX_TEXT:
                self.problem(para.line, f"a paragraph of {len(para.text):,} characters; "
                                        f"the limit is {MAX_TEXT:,}")
                continue
            if self.starts_interview(index, speakers):
                if current is not None:
                    self._finish(current, state)
                current, speakers = self._begin(index)
                interviews.append(current)
                state, skip, body = "begin", True, 0
                if len(interviews) == 1:
                    self._preamble(preamble)
                if len(interviews) > MAX_INTERVIEWS:
                    self.problem(para.line, f"more than {MAX_INTERVIEWS:,} interviews; "
                                            "is this one book?")
                    break
                continue
            if current is None:
                preamble.append(index)
                continue
            if para.heading and self._section(index):
                continue
            if para.heading:
                self.problem(para.line, f"heading {para.text[:30]!r} is not followed by an "
                                        "office-and-name line, so it starts no interview: "
                                        "put the interviewee's office and name on the line "
                                        "after it, or delete it")
                continue
            if para.notes:
                current.notes.extend(para.notes)
            state = self._pair(index, current, speakers, state)
            body += 1
            if body > MAX_PARAGRAPHS:
                self.problem(current.line, f"an interview of more than {MAX_PARAGRAPHS:,} "
                                           "paragraphs; is a headline missing?")
                break
        if current is not None:
            self._finish(current, state)
        if not interviews and not self.problems and not self._unread(range(len(self.paras)),
                                                                     "no interview found: "):
            self.problem(1, "no interview found: expected a headline (or a heading), an "
                            "office-and-name line, then questions (问：) and answers (答：)")
        return interviews

    def _section(self, index: int) -> bool:
        """A heading right above another (`## 静安区` over `### 深夜的电波`) groups the
        interviews: it is left out, with a notice."""
        following = index + 1 < len(self.paras) and self.paras[index + 1].heading
        if following:
            self.notice(self.paras[index].line, "a heading over another heading, read as a "
                                                "section's title; not imported")
        return following

    def _preamble(self, indices: list[int]) -> None:
        """Text before the first interview: the book's title, a preface — or an interview
        whose interviewee line was not read, which must not be lost in silence."""
        if self._unread(indices, ""):
            return
        self.title_index = _title(self.paras, indices)
        for index in indices:
            if index != self.title_index:
                self.notice(self.paras[index].line,
                            "text before the first interview was not imported")

    def _unread(self, indices: range | list[int], prefix: str) -> bool:
        """Report the line before the first labelled question among these paragraphs: it
        should have been an interviewee line. Whether there was one."""
        for index in indices:
            para = self.paras[index]
            found = _FIXED.match(para.text, para.strong)
            if found is None and _all_bold(para) and _asks(para.text):
                found = Label("question", "", "", para.text, True)
            if index and found and found.role == "question" and (found.colon or found.strong):
                before = self.paras[index - 1]
                self.problem(before.line, f"{prefix}cannot read {before.text[:30]!r} as an "
                                          "interviewee line, so the questions after it belong "
                                          f"to no interview: write it as {ACCEPTED_FORMS}, "
                                          "with the headline on the line before")
                return True
        return False

    def tidy(self, text: str, line: int) -> str:
        """The text without the invisible spaces between Chinese characters (能浮起来。\u00a0我),
        each removal a notice; elsewhere (`10\u00a0km`) they are typography, and kept."""
        def drop(m: re.Match[str]) -> str:
            before, after = m.string[m.start() - 1: m.start()], m.string[m.end(): m.end() + 1]
            if not (before and after and CJK.match(before) and CJK.match(after)):
                return m.group(0)
            for ch in dict.fromkeys(m.group(0)):
                self.notice(line, f"removed the invisible space {yamlsafe.describe(ch)} "
                                  "between Chinese characters")
            return ""
        return _ODD_RUN.sub(drop, text)

    def _begin(self, index: int) -> tuple[ImportedInterview, Speakers]:
        headline, line = self.paras[index].text, self.paras[index + 1].line
        office, name, how = self.office(index + 1) or ("", "", "")
        if how:
            self.notice(line, how)
        headline = self.tidy(headline, self.paras[index].line)
        office = self.tidy(office, line)
        region = region_of(office)
        if not region and (region := place_at_start(office)):
            self.notice(line, f"region read as {region!r}, the place the office begins with "
                              "(no 市, 县 or 区 after it): check region: in the interview file")
        if not region:
            self.problem(line, f"cannot tell the region from the office {office!r}: begin it "
                               "with the place (…市, …州, …自治州, …县, …区)")
        if region and squash(headline) in {squash(form) for form in place_forms(region)}:
            self.notice(self.paras[index].line, f"the headline is the place's name, {headline!r}: "
                                                "give the interview a headline of its own")
        interview = ImportedInterview(headline, office, name, region or "",
                                      self.paras[index].line)
        return interview, speakers_of(name, office)

    def _pair(self, index: int, current: ImportedInterview, speakers: Speakers,
              state: str) -> str:
        """Read one paragraph of an interview's body; return the new state."""
        para = self.paras[index]
        found = self.label(index, speakers, state)
        if found is not None:
            if found.colon == ":":
                self.notice(para.line, "half-width colon after a speaker label; accepted")
            elif not found.colon and not found.strong:
                self.notice(para.line, "speaker label without a colon; read as a label")
            body = self.tidy(found.body.strip(), para.line)
        if found is not None and found.role == "question":
            both = speakers.split_answer(body)
            if both:
                self.notice(para.line, "question and answer in one paragraph; split at the "
                                       "answer's label")
                current.pairs.append(ImportedPair(both[0], [both[1]], para.line, index))
                return "answer"
            current.pairs.append(ImportedPair(body, [], para.line, index))
            return "question" if body else "question-open"
        if found is not None:  # an answer label
            if state in ("begin", "question-open"):
                self.problem(para.line, "an answer with no question before it")
                return state
            if state in ("answer", "note"):
                self.notice(para.line, "answer label after an answer; read as a further "
                                       "paragraph of that answer")
            if body:
                current.pairs[-1].answer.append(body)
            return "answer"
        text = self.tidy(para.text, para.line)
        if state in ("answer", "note") and _NOTE.match(text):
            current.notes.append(text)  # the content format's notes, printed after the interview
            return "note"
        if state == "note":
            self.notice(para.line, "a paragraph after a note (注：); read as part of the note")
            current.notes.append(text)
        elif state == "answer":
            current.pairs[-1].answer.append(text)  # a further paragraph of the answer
        elif state == "question-open":  # `问：` alone on its line, the question below it
            current.pairs[-1].question = text
            current.pairs[-1].index = index
            return "question"
        elif state == "question":  # an answer without a label, as books print them
            self.notice(para.line, "paragraph after a question, without a label; read as its "
                                   "answer")
            current.pairs[-1].answer.append(text)
            return "answer"
        else:
            self.problem(para.line, f"expected a question (问：) after the office line, got "
                                    f"{para.text[:20]!r}")
        return state

    def _finish(self, interview: ImportedInterview, state: str) -> None:
        if not interview.pairs:
            self.problem(interview.line, "this interview has no questions and answers")
        asked: dict[str, int] = {}
        for number, pair in enumerate(interview.pairs):
            if not pair.question:
                self.problem(pair.line, "empty question")
            elif not pair.answer:
                self.problem(pair.line, "this question has no answer")
            key = squash(pair.question)
            if key in asked and key:
                self._asked_again(interview.pairs[number - 1], pair, asked[key])
            asked.setdefault(key, pair.line)

    def _asked_again(self, before: ImportedPair, pair: ImportedPair, first: int) -> None:
        """A question asked twice in one interview: two interviews run together when the
        second's interviewee line was not read. Never merged in silence."""
        lines = self.paras[pair.index - 2: pair.index]
        if (len(before.answer) >= 3 and len(lines) == 2
                and [_ODD_RUN.sub("", p.text) for p in lines]
                == [_ODD_RUN.sub("", text) for text in before.answer[-2:]]
                and all(len(p.text) <= MAX_OFFICE_LINE for p in lines)
                and not lines[1].text.endswith(tuple(_LAST_CHARS))
                and mentions_office(lines[1].text)):
            self.problem(lines[1].line, f"cannot read {lines[1].text[:30]!r} as an interviewee "
                                        f"line, and the question after it (line {pair.line}) "
                                        f"was asked already on line {first}: if a new "
                                        f"interview starts on line {lines[0].line}, write its "
                                        f"interviewee line as {ACCEPTED_FORMS}")
        else:
            self.notice(pair.line, f"a question asked already in this interview (line {first}): "
                                   "check that no interview starts before it")


def _title(paras: list[Paragraph], indices: list[int]) -> int | None:
    """The paragraph before the first interview that is the book's title, if only one can be:
    a Word Title paragraph, else a Heading 1 (Markdown `#`), or a .txt first line set apart
    by a blank line."""
    ranks = {index: paras[index].title for index in indices if paras[index].title}
    if not ranks:
        return None
    best = [index for index, rank in ranks.items() if rank == max(ranks.values())]
    if len(best) != 1 or SENTENCE_END.search(paras[best[0]].text):
        return None
    return best[0] if len(paras[best[0]].text) <= MAX_TITLE else None


def _asks(text: str) -> bool:
    """Whether a paragraph ends with a question mark (closing quotes and brackets aside)."""
    return text.rstrip(_CLOSERS).endswith(("？", "?"))


def _all_bold(para: Paragraph) -> bool:
    """Whether the whole paragraph was bold in the manuscript (and is no heading)."""
    return bool(para.strong) and not para.heading and squash(para.strong) == squash(para.text)


def _labelled(speakers: Speakers, para: Paragraph) -> bool:
    """Whether a paragraph begins with a label written as one: with a colon, bold, or a
    Chinese label followed by a space."""
    found = speakers.match(para.text, para.strong)
    return bool(found and (found.colon or found.strong
                           or (found.spaced and not found.label.isascii())))


def parse_paragraphs(source: Source) -> ImportResult:
    """Recognise the interviews of a manuscript; raise ContentError listing every problem."""
    reader = _Reader(source)
    interviews = reader.read() if not reader.problems else []
    if reader.problems:
        raise ContentError(reader.problems)
    result = ImportResult(interviews, reader.notices, standard_questions(interviews))
    if reader.title_index is not None:
        title = reader.paras[reader.title_index]
        result.title, result.title_line = reader.tidy(title.text, title.line), title.line
    return result


def with_place(question: str, region: str) -> str:
    """The question with the interview's region written as {place}."""
    for form in place_forms(region) if region else []:
        if form in question:
            return question.replace(form, PLACE)
    return question


def standard_questions(interviews: list[ImportedInterview]) -> list[dict[str, object]]:
    """The questions asked in many interviews, in their usual order, with {place} for the
    region; `optional` when not asked of every interviewee."""
    asked: dict[str, set[int]] = {}
    positions: dict[str, list[float]] = {}
    wordings: dict[str, Counter[str]] = {}
    for k, interview in enumerate(interviews):
        count = len(interview.pairs)
        for pos, pair in enumerate(interview.pairs):
            text = with_place(pair.question, interview.region)
            key = squash(text)
            asked.setdefault(key, set()).add(k)
            positions.setdefault(key, []).append(pos / max(count - 1, 1))
            wordings.setdefault(key, Counter())[text] += 1
    total = len(interviews)
    # Asked of a third of the interviewees (at least two): a standard question, not a
    # coincidence of wording.
    need = max(2, math.ceil(total / 3)) if total > 1 else 1
    keys = sorted((k for k in asked if len(asked[k]) >= need),
                  key=lambda k: sum(positions[k]) / len(positions[k]))
    questions: list[dict[str, object]] = []
    for number, key in enumerate(keys, 1):
        text = wordings[key].most_common(1)[0][0]
        label = re.sub(r"[，,？?！!。：:]+$", "", text.replace(PLACE, "")).strip("，, ")
        question: dict[str, object] = {"id": f"q{number}", "label": label[:24] or f"问题{number}",
                                       "text": text}
        if len(asked[key]) < total:
            question["optional"] = True
        questions.append(question)
    return questions
