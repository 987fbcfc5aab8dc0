"""Structure: empty answers, standard questions reworded or out of order, unparsable names."""

from __future__ import annotations

from difflib import SequenceMatcher

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from publisher.content.model import PLACEHOLDERS, Question, place_forms, squash
from publisher.lint.document import Document
from publisher.lint.finding import ERROR, WARNING, Finding
from publisher.text.chars import is_person_name

# A question sharing this share of its characters (difflib's ratio) with a standard question
# that the interview does not ask is that question reworded; below it, the interview's own
# question. Measured: rewordings of the first book's questions score 0.61–0.82, unrelated
# follow-up questions 0.03–0.40 (docs/linter.md).
REWORDED = 0.6


def standard_questions(book: Document | None) -> list[Question]:
    """book.yaml's standard questions as written there (unreadable entries skipped)."""
    data = book.data if book is not None else None
    items = data.get("questions") if isinstance(data, CommentedMap) else None
    if not isinstance(items, CommentedSeq):
        return []
    return [Question(str(q.get("id") or f"q{n + 1}"), str(q.get("label") or ""),
                     str(q.get("text") or ""), q.get("optional") is True)
            for n, q in enumerate(items) if isinstance(q, CommentedMap) and q.get("text")]


def check(book: Document | None, docs: list[Document]) -> list[Finding]:
    """Structure findings for each interview file, checked against book.yaml's questions."""
    questions = standard_questions(book)
    findings = _placeholders(book)
    for doc in docs:
        data = doc.data
        if not isinstance(data, CommentedMap):
            continue  # the loader reports a file that is not a mapping
        findings += _interviewee(doc, data)
        findings += _pairs(doc, data, questions)
    return findings


def _placeholders(book: Document | None) -> list[Finding]:
    """book.yaml's values still the importer's placeholders, which the book would print."""
    data = book.data if book is not None else None
    if not isinstance(data, CommentedMap):
        return []
    out = []
    for key, placeholder in PLACEHOLDERS.items():
        value = data.get(key)
        values = list(value) if isinstance(value, CommentedSeq) else [value]
        if placeholder in [str(v).strip() for v in values]:
            out.append(_finding(book, *data.lc.key(key), f"{key} is still the importer's "
                                f"placeholder {placeholder!r}, which the cover, title page and "
                                "copyright page would print: set the book's own", placeholder,
                                WARNING))
    return out


def _finding(doc: Document, line: int, col: int, message: str, subject: str = "",
             severity: str = ERROR, suggestion: str | None = None) -> Finding:
    return Finding(doc.rel, line + 1, col + 1, "structure", severity, message, subject,
                   suggestion)


def _interviewee(doc: Document, data: CommentedMap) -> list[Finding]:
    person = data.get("interviewee")
    line, col = data.lc.key("interviewee") if "interviewee" in data else (0, 0)
    if not isinstance(person, CommentedMap):
        return [_finding(doc, line, col,
                         "interviewee line does not parse: expected name and office")]
    name, office = str(person.get("name") or ""), str(person.get("office") or "")
    out = []
    if not is_person_name(name):
        out.append(_finding(doc, *person.lc.key("name") if "name" in person else (line, col),
                            f"interviewee line does not parse: {name!r} is not a personal name",
                            name))
    if not office.strip() or (name and office.endswith(name)):
        out.append(_finding(doc, *person.lc.key("office") if "office" in person else (line, col),
                            f"interviewee line does not parse: office {office!r}", office))
    return out


def _pairs(doc: Document, data: CommentedMap, questions: list[Question]) -> list[Finding]:
    pairs = data.get("qa")
    line, col = data.lc.key("qa") if "qa" in data else (0, 0)
    if not isinstance(pairs, CommentedSeq):
        return [_finding(doc, line, col, "no question–answer pairs")]
    out = []
    asked: list[tuple[int, str]] = []  # (pair index, question text) of every readable pair
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
        if pair.get("question"):
            asked.append((n, str(pair["question"])))
    if questions:
        out += _against_standard(doc, data, pairs, asked, questions)
    return out


def _against_standard(doc: Document, data: CommentedMap, pairs: CommentedSeq,
                      asked: list[tuple[int, str]], questions: list[Question]) -> list[Finding]:
    """Standard questions reworded, out of the book's order, or (unless optional) not asked."""
    region = str(data.get("region") or "")
    forms = place_forms(region) if region else []
    matched: dict[int, int] = {}  # pair index → standard question index, by wording
    for n, text in asked:
        k = next((k for k, q in enumerate(questions)
                  if k not in matched.values() and q.asked_by(text, region)), None)
        if k is not None:
            matched[n] = k
    out = []
    latest = -1
    for n, k in matched.items():  # in the interview's order
        if k < latest:
            out.append(_finding(
                doc, *pairs[n].lc.value("question"),
                f"question {n + 1} is standard question {k + 1}, asked after standard "
                f"question {latest + 1}: the book's order differs", questions[k].text, WARNING))
        latest = max(latest, k)

    def wording(q: Question) -> str:
        return q.for_region(forms)[0] if forms else q.text

    missing = [k for k in range(len(questions)) if k not in matched.values()]
    for n, text in asked:
        if n in matched or not missing:
            continue
        score, k = max((SequenceMatcher(None, squash(text), squash(wording(questions[k])),
                                        autojunk=False).ratio(), k) for k in missing)
        if score >= REWORDED:
            missing.remove(k)
            out.append(_finding(doc, *pairs[n].lc.value("question"),
                                f"question {n + 1} differs from the standard wording "
                                f"“{wording(questions[k])}”", text))
    line, col = data.lc.key("qa") if "qa" in data else (0, 0)
    for k in missing:
        if not questions[k].optional:
            out.append(_finding(
                doc, line, col,
                f"standard question {k + 1} “{wording(questions[k])}” is not asked",
                questions[k].text, WARNING,
                "if it is asked of only some interviewees, give it `optional: true` in book.yaml"))
    return out
