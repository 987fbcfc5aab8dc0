"""Structure: empty answers, questions that differ from the standard ones, unparsable names."""

from __future__ import annotations

import re

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from publisher.lint.document import Document
from publisher.lint.finding import ERROR, Finding
from publisher.model import Question, place_forms

# A Chinese name (2–4 characters), a transcribed one with ·, or a Latin one.
NAME = re.compile(r"^(?:[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]+(?:·[\u4e00-\u9fff]+)+"
                  r"|[A-Z][\w .'-]+)$")
def standard_questions(book: Document | None) -> list[str]:
    data = book.data if book is not None else None
    items = data.get("questions") if isinstance(data, CommentedMap) else None
    if not isinstance(items, CommentedSeq):
        return []
    return [q.get("text", "") for q in items if isinstance(q, CommentedMap)]


def check(book: Document | None, docs: list[Document]) -> list[Finding]:
    """Structure findings for each interview file, checked against book.yaml's questions."""
    questions = standard_questions(book)
    findings = []
    for doc in docs:
        data = doc.data
        if not isinstance(data, CommentedMap):
            continue  # the loader reports a file that is not a mapping
        findings += _interviewee(doc, data)
        findings += _pairs(doc, data, questions)
    return findings


def _finding(doc: Document, line: int, col: int, message: str, subject: str = "") -> Finding:
    return Finding(doc.rel, line + 1, col + 1, "structure", ERROR, message, subject)


def _interviewee(doc: Document, data: CommentedMap) -> list[Finding]:
    person = data.get("interviewee")
    line, col = data.lc.key("interviewee") if "interviewee" in data else (0, 0)
    if not isinstance(person, CommentedMap):
        return [_finding(doc, line, col,
                         "interviewee line does not parse: expected name and office")]
    name, office = str(person.get("name") or ""), str(person.get("office") or "")
    out = []
    if not NAME.match(name):
        out.append(_finding(doc, *person.lc.key("name") if "name" in person else (line, col),
                            f"interviewee line does not parse: {name!r} is not a personal name",
                            name))
    if not office.strip() or (name and office.endswith(name)):
        out.append(_finding(doc, *person.lc.key("office") if "office" in person else (line, col),
                            f"interviewee line does not parse: office {office!r}", office))
    return out


def _pairs(doc: Document, data: CommentedMap, questions: list[str]) -> list[Finding]:
    pairs = data.get("qa")
    line, col = data.lc.key("qa") if "qa" in data else (0, 0)
    if not isinstance(pairs, CommentedSeq):
        return [_finding(doc, line, col, "no question–answer pairs")]
    out = []
    if questions and len(pairs) != len(questions):
        out.append(_finding(doc, line, col, f"{len(pairs)} questions; the book's standard "
                                            f"questions are {len(questions)}"))
    region = str(data.get("region") or "")
    for n, pair in enumerate(pairs):
        if not isinstance(pair, CommentedMap):
            out.append(_finding(doc, *pairs.lc.item(n), f"pair {n + 1} is not a mapping"))
            continue
        answer = pair.get("answer")
        if isinstance(answer, str):
            answer = [answer]
        if not answer or not all(isinstance(p, str) and p.strip() for p in answer):
            where = pair.lc.key("answer") if "answer" in pair else pairs.lc.item(n)
            out.append(_finding(doc, *where, f"answer {n + 1} is empty"))
        question = str(pair.get("question") or "")
        if n < len(questions) and question:
            standard = Question(f"q{n + 1}", "", questions[n])
            if not standard.asked_by(question, region):
                shown = standard.for_region(place_forms(region))[0] if region else questions[n]
                out.append(_finding(doc, *pair.lc.value("question"),
                                    f"question {n + 1} differs from the standard wording "
                                    f"“{shown}”", question))
    return out
