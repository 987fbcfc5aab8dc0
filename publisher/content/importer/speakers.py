"""Who speaks: speaker labels, office-and-name lines, and the region an office belongs to."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from publisher.text import people
from publisher.text.chars import HAN_RANGES, NAME_DOTS

H = f"[{HAN_RANGES}]"
NAME = re.compile(f"{H}{{2,4}}|{H}+(?:[{NAME_DOTS}]{H}+)+")
# Tibetan names (索南才让多杰) and Uyghur or Mongolian ones written without a dot run to five
# characters and more; eight covers them. Such a name is read only after a spaced office that
# names its place, and the interview must then open with a labelled question.
MAX_NAME = 8
LONG_NAME = re.compile(f"{H}{{5,{MAX_NAME}}}")
# `受访人：王芳（甲县妇联主席）`, or the label before any other form of the line.
_INTERVIEWEE = re.compile(r"(?:受访人|受访者|采访对象)\s*[:：]\s*(?P<rest>.+)")
_BRACKETED = re.compile(f"(?P<name>{NAME.pattern}|{LONG_NAME.pattern})\\s*"
                        r"[（(](?P<office>[^（()）]+)[）)]")
ACCEPTED_FORMS = ("OFFICE NAME (甲县妇联主席 王芳), NAME OFFICE (王芳 甲县妇联主席) or "
                  "受访人：NAME（OFFICE）")
# Titles that end an office in Chinese officialdom: a name run into the office is split after
# one, and an answer may be labelled with the surname and one (王主席, 李局长).
TITLES = (
    "主席", "书记", "主任", "部长", "局长", "院长", "会长", "理事长", "秘书长", "市长",
    "州长", "县长", "区长", "省长", "校长", "董事长", "总经理", "经理", "社长", "主编",
    "馆长", "所长", "处长", "厅长", "队长", "委员", "代表", "总监", "总裁", "负责人",
    "旗长", "盟长", "镇长", "乡长", "村长", "站长", "行长", "司长", "署长", "团长", "科长",
)
# Callings too, as people are introduced in interviews: 乡村医生, 护士, 歌手, 作家, 记者, 技工,
# 牧民, 茶农, 木匠, 司机, 警察, 教练, 店主, 法官.
TITLE_ENDINGS = ("长", "员", "师", "人", "任", "席", "事", "干", "授", "监", "编", "生", "士", "手",
                 "家", "者", "工", "民", "农", "匠", "机", "察", "练", "主", "官")
HONORIFICS = ("先生", "女士", "老师", "同志")
COMPOUND_SURNAMES = {"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容",
                     "长孙", "宇文", "司徒", "夏侯", "令狐", "澹台", "轩辕", "端木", "独孤",
                     "南宫", "西门", "呼延", "申屠", "万俟", "钟离", "闻人"}
QUESTION_LABELS = ("主持人", "记者", "问", "Q", "Ｑ")
ANSWER_LABELS = ("答", "A", "Ａ", "受访者", "受访人")
# Labels that are words without a colon (受访者说…), and interviewee lines with one when what
# follows reads as a name and an office (受访人：王芳（甲县妇联主席）).
COLON_LABELS = ("受访者", "受访人")
# Without a colon, 问题/答案 are words, not labels.
WORDS_AFTER = {"问": set("题候卷号道询责世诊路鼎津策心罪安"), "答": set("案复应卷题谢疑辩礼允"),
               "记者": set("们站证节会团部"), "主持人": set("们")}
SENTENCE = re.compile(r"[。，！？；：,!?;:“”\"]")
MAX_OFFICE_LINE = 60
# Region units; 泸州市 is a city although 州 comes first, and an organisation's words
# (妇联, 党委, …) are never part of a place name.
_ORG = "委联局部会党政团厅院所办司处科组队站社协"
_UNIT = re.compile(
    f"(?:(?:(?![{_ORG}]){H}){{1,12}}?自治(?:州|县|旗)"
    f"|(?:(?![{_ORG}]){H}){{1,8}}?(?:特别行政区|地区|新区|林区|市|州(?![市区县])|县|区|盟|旗))")
_PROVINCE = re.compile(f"(?:(?![{_ORG}]){H}){{1,10}}?(?:省|自治区)")


@dataclass(frozen=True)
class Label:
    """A speaker label at the start of a paragraph: who speaks, and what follows the label."""

    role: str  # "question" or "answer"
    label: str
    colon: str  # ":", "：" or "" (none)
    body: str
    strong: bool  # the label was bold in the manuscript
    spaced: bool = False  # a space, not a colon, separates it from the text


class Speakers:
    """The labels of one interview: the fixed ones and those made of the interviewee's name."""

    def __init__(self, name: str, office: str) -> None:
        self.names = answer_labels(name, office)
        labels = sorted((*QUESTION_LABELS, *ANSWER_LABELS, *self.names), key=len, reverse=True)
        alternatives = "|".join(
            re.escape(label) + (r"\d{0,3}" if label in "QＱAＡ" else "") for label in labels)
        self._pattern = re.compile(f"(?P<label>{alternatives})(?P<sep>\\s*[:：]\\s*|\\s*)"
                                   "(?P<body>.*)", re.DOTALL)
        answers = "|".join(re.escape(label) for label in
                           sorted((*ANSWER_LABELS, *self.names), key=len, reverse=True))
        # `问：您修了多少年表？答：三十年。`: an answer label with a colon right after the end
        # of the question's sentence.
        self._inline_answer = re.compile(f"(?<=[？?。！!…”」』）)])\\s*(?:{answers})\\s*[:：]")

    def match(self, text: str, strong: str = "") -> Label | None:
        """The label this paragraph starts with, if any, before deciding whether to trust it."""
        m = self._pattern.match(text)
        if not m:
            return None
        label = re.sub(r"\d+$", "", m["label"])
        role = "answer" if label in ANSWER_LABELS or label in self.names else "question"
        colon = m["sep"].strip()
        body = m["body"]
        if not colon and label.isascii() and body[:1].isascii() and body[:1].isalpha():
            return None  # "Apple", "Q3季度" without a colon: a word, not a label
        if label in COLON_LABELS and (not colon or is_interviewee_line(text)):
            return None
        bold = strong.rstrip(":： ")
        return Label(role, label, colon, body, bool(bold) and bold == m["label"],
                     bool(m["sep"]) and not colon and bool(body))

    def split_answer(self, body: str) -> tuple[str, str] | None:
        """A question and its answer written in one paragraph: (question, answer)."""
        m = self._inline_answer.search(body)
        if m is None or not body[m.end():].strip():
            return None
        return body[: m.start()].strip(), body[m.end():].strip()

    def is_word(self, found: Label) -> bool:
        """Whether a label without a colon is the first character of a word (问题, 答案)."""
        return found.body[:1] in WORDS_AFTER.get(found.label, ())


@lru_cache(maxsize=256)
def speakers_of(name: str, office: str) -> Speakers:
    """The labels of an interviewee, made once however often their office line is seen."""
    return Speakers(name, office)


def answer_labels(name: str, office: str) -> list[str]:
    """The interviewee's full name, and surname + title (王主席) for the titles in sight."""
    if not name:
        return []
    labels = {name}
    given = re.split(f"[{NAME_DOTS}]", name)
    if len(given) > 1:
        labels.add(given[0])
        return sorted(labels)
    surname = name[:2] if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else name[:1]
    # Only this interviewee's own titles: in an answer about 李局长, `李局长：` quotes another
    # person when the interviewee 李娜 is 主席.
    titles = {t for t in TITLES if t in office} | set(HONORIFICS)
    for part in re.split(r"[、，,\s]", office):  # and the office's last words (副主席, 理事)
        titles.update(part[-length:] for length in (2, 3) if len(part) > length)
    return sorted(labels | {surname + title for title in titles})


def is_interviewee_line(line: str) -> bool:
    """`受访人：王芳（甲县妇联主席）`: a label, then a name and an office, not an answer."""
    labelled = _INTERVIEWEE.fullmatch(line.strip())
    return bool(labelled) and _labelled_line(labelled["rest"].strip(), frozenset()) is not None


def split_office(line: str, endings: frozenset[str] = frozenset()) -> tuple[str, str, str] | None:
    """(office, name, how) for an office-and-name line, or None if the line is not one.

    `how` is "" for `office name`, or says how the name was found, for a notice.
    """
    labelled = _INTERVIEWEE.fullmatch(line.strip())
    if labelled:
        return _labelled_line(labelled["rest"].strip(), endings)
    if len(line) > MAX_OFFICE_LINE or len(line) < 3 or SENTENCE.search(line):
        return None
    parts = line.split()
    # `王芳 甲县妇联主席` would read as the office 王芳 and the name 甲县妇联主席 (4 characters):
    # the reading whose office names a place wins.
    spaced, first = _spaced(line, parts), _name_first(line, parts)
    if spaced and (region_of(spaced[0]) or not first):
        return spaced
    if first:
        return first
    if len(parts) >= 3 and all(len(p) == 1 and NAME.fullmatch(p * 2) for p in parts[-2:]):
        office = line[: line.rstrip().rindex(parts[-2])].rstrip()
        return office, parts[-2] + parts[-1], "name written with a space inside; joined"
    if len(parts) != 1:
        return None
    # The name runs into the office: it follows the last title in the line.
    run_in = _run_in(endings).fullmatch(line)
    if run_in:
        return (run_in["office"], run_in["name"],
                "name run into the office line; split after the title")
    return None


def _spaced(line: str, parts: list[str]) -> tuple[str, str, str] | None:
    """`office name`: a name of 2–4 characters or with a dot after any office, a longer one
    only after an office that ends with a title and names its place."""
    if len(parts) < 2:
        return None
    office = line[: line.rstrip().rindex(parts[-1])].rstrip()
    if NAME.fullmatch(parts[-1]) or (is_long_name(parts[-1]) and looks_like_office(office)
                                     and region_of(office)):
        return office, parts[-1], ""
    return None


def _name_first(line: str, parts: list[str]) -> tuple[str, str, str] | None:
    """`name office`: read so only when what follows the name is an office with a place and
    a title, and the name is none (王芳 甲县妇联主席, not 甲县妇联 主席王芳)."""
    if len(parts) < 2 or not (NAME.fullmatch(parts[0]) or is_long_name(parts[0])):
        return None
    office = line.strip()[len(parts[0]):].strip()
    if region_of(parts[0]) or not (looks_like_office(office) and region_of(office)):
        return None
    return office, parts[0], "name before the office; read as the name, then the office"


def _labelled_line(rest: str, endings: frozenset[str]) -> tuple[str, str, str] | None:
    """What follows `受访人：`: NAME（OFFICE）, or an office-and-name line of any form."""
    bracketed = _BRACKETED.fullmatch(rest)
    if bracketed:
        office = bracketed["office"].strip()
        if len(office) <= MAX_OFFICE_LINE and not SENTENCE.search(office) and office:
            return office, bracketed["name"], ("interviewee line as 受访人：NAME（OFFICE）; "
                                               "read as the name and the office")
        return None
    found = split_office(rest, endings) if not _INTERVIEWEE.match(rest) else None
    if found is None:
        return None
    return found[0], found[1], found[2] or "interviewee line after a 受访人 label; label dropped"


def is_long_name(name: str) -> bool:
    """A name of 5–8 Han characters (索南才让多杰) that is not itself an office or a place:
    `乡村振兴带头人` ends with a calling, `甲县妇联主席` names a county."""
    return bool(LONG_NAME.fullmatch(name)) and not looks_like_office(name) \
        and not region_of(name)


@lru_cache(maxsize=32)
def _run_in(endings: frozenset[str]) -> re.Pattern[str]:
    titles = "|".join(re.escape(t) for t in sorted(set(TITLES) | endings, key=len, reverse=True))
    return re.compile(f"(?P<office>.+(?:{titles}))(?P<name>{NAME.pattern})")


def office_endings(lines: list[str]) -> frozenset[str]:
    """Office endings seen in well-formed lines (office, space, name) of this manuscript."""
    endings = set()
    for line in lines:
        if " " not in line and "\t" not in line and "\u3000" not in line:
            continue
        found = split_office(line)
        if found and not found[2] and len(found[0]) >= 2:
            endings.add(found[0][-2:])
    return frozenset(endings)


def region_of(office: str) -> str | None:
    """The most specific region an office names at its start: 成都市, 阿坝藏族羌族自治州,
    成都市武侯区 → 武侯区; a province when the office names nothing smaller."""
    first = re.search(H, office)  # past a leading dash or bracket: ——成都市妇联主席
    position, found = (first.start() if first else 0), None
    province = _PROVINCE.match(office, position)
    if province:
        position = province.end()
    while unit := _UNIT.match(office, position):
        found, position = unit.group(0), unit.end()
    return found or (province.group(0) if province else None)


def looks_like_name(name: str) -> bool:
    """Whether a name after an office reads as a person's: it begins with a surname (王秀梅,
    欧阳何), or has three characters or more (禤国强, 扎西顿珠), or is a transcribed one with
    its parts joined by a dot (阿依古丽·吐尔逊). A word of two (供稿, 整理) does not."""
    return (len(name) >= 3 or name[:2] in COMPOUND_SURNAMES or people.is_surname(name[:1])
            or any(dot in name for dot in NAME_DOTS))


def mentions_office(line: str) -> bool:
    """Whether a line names a place or a title anywhere, or is labelled 受访人: an interviewee
    line in a form not read (`王芳，甲县妇联主席`) does."""
    return bool(_INTERVIEWEE.match(line) or _UNIT.search(line) or _PROVINCE.search(line)
                or any(title in line for title in TITLES))


def looks_like_office(office: str) -> bool:
    """An office ends with a title (主席, 书记, …长, …员, …师, …人): a sentence that happens
    to end in a name-like word (`成都市妇联 供稿`) is not an office line."""
    return office.endswith(TITLES + TITLE_ENDINGS)
