"""Manuscripts for the importer's tests: one book written out as .txt, .md and .docx."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# The standard questions, {place} for the region; interviews skip some and add their own.
STANDARD = [
    "过去一年，{place}在乡村振兴中有哪些做法？",
    "您如何看待基层妇女工作的变化？",
    "今年{place}有什么新打算？",
]


@dataclass
class Interview:
    headline: str
    office: str
    name: str
    region: str  # what the importer must find
    place: str  # how the questions name the region
    q: str  # question label
    a: str  # answer label
    colon: str  # "：", ":" or ""
    pairs: list[tuple[str, list[str]]] = field(default_factory=list)


def _pairs(place: str, skip: int | None, extra: str | None, seed: int) -> list:
    pairs = []
    for k, text in enumerate(STANDARD):
        if k == skip:
            continue
        answer = [f"{place}第{seed}号答复的第一段，讲了具体做法。"]
        if (seed + k) % 2 == 0:  # further paragraphs: anywhere, one or two, before a question
            answer.append("与此同时，我们还组织了妇女议事会，让大家说说心里话。")
        if (seed + k) % 3 == 0:
            answer.append("问题在于资金不足，王主席和李局长多次协调，情况才有好转。")
            answer.append("记者了解到的情况也是这样。")
        pairs.append((text.replace("{place}", place), answer))
    if extra:
        pairs.insert(1, (extra, ["这是一个只问了这位受访者的问题的回答。", "第二段。"]))
    return pairs


def held_out_book(count: int = 9) -> list[Interview]:
    """`count` interviews, each with its own conventions, region kind and question set."""
    rows = [
        ("巾帼绽放新时代", "成都市妇联党组书记、主席", "谭学军", "成都市", "成都", "问", "答", "："),
        ("高原上的格桑花", "阿坝州妇联主席", "泽仁拉姆", "阿坝州", "阿坝", "记者", "泽主席", "："),
        ("大凉山的春天", "凉山彝族自治州妇联主席", "阿依", "凉山彝族自治州", "凉山州",
         "主持人", "阿依", ":"),
        ("林海巾帼", "大兴安岭地区妇联主任", "欧阳𠮷", "大兴安岭地区", "大兴安岭", "Q", "A", "："),
        ("草原姐妹", "锡林郭勒盟妇联主席", "其其格", "锡林郭勒盟", "锡林郭勒盟", "问", "答", ""),
        ("小凉山的女儿", "峨边彝族自治县妇联主席", "沙马", "峨边彝族自治县", "峨边",
         "记者", "沙马", ""),
        ("社区里的她力量", "成都市武侯区妇联主席", "李娜", "武侯区", "武侯区", "问", "答", ":"),
        ("泸定桥畔", "泸定县妇联主席", "古丽·买买提", "泸定县", "泸定", "Q", "A", ":"),
        ("西湖边的巾帼故事", "杭州市西湖区妇联副主席", "王芳", "西湖区", "西湖区", "记者", "王副主席", "："),
    ]
    book = []
    for n, (headline, office, name, region, place, q, a, colon) in enumerate(rows[:count]):
        skip = 1 if n % 4 == 2 else None
        extra = f"{place}第{n}个特色项目是什么？" if n % 3 == 1 else None
        book.append(Interview(headline, office, name, region, place, q, a, colon,
                              _pairs(place, skip, extra, n + 1)))
    return book


def to_text(book: list[Interview]) -> str:
    lines = []
    for item in book:
        lines += [item.headline, f"{item.office} {item.name}"]
        for question, answer in item.pairs:
            lines.append(f"{item.q}{item.colon}{question}")
            lines.append(f"{item.a}{item.colon}{answer[0]}")
            lines += answer[1:]
    return "\n".join(lines) + "\n"


def to_markdown(book: list[Interview]) -> str:
    """Headings for headlines, bold labels (colon inside or outside), wrapped paragraphs."""
    blocks = ["# 访谈集（不导入的书名）"]
    for n, item in enumerate(book):
        blocks += [f"## {item.headline}", f"{item.office} {item.name}"]
        for question, answer in item.pairs:
            inside = n % 2 == 0
            for label, text in ((item.q, question), (item.a, answer[0])):
                bold = f"**{label}{item.colon}**" if inside else f"**{label}**{item.colon}"
                blocks.append(bold + text)
            for paragraph in answer[1:]:
                half = len(paragraph) // 2  # a soft line break inside a Chinese paragraph
                blocks.append(paragraph[:half] + "\n" + paragraph[half:])
    return "\n\n".join(blocks) + "\n"


def to_docx(book: list[Interview], path: Path) -> Path:
    """Word headings for headlines, bold label runs, one Word paragraph per paragraph."""
    import docx

    document = docx.Document()
    for item in book:
        document.add_heading(item.headline, level=2)
        document.add_paragraph(f"{item.office} {item.name}")
        for question, answer in item.pairs:
            for label, text in ((item.q, question), (item.a, answer[0])):
                paragraph = document.add_paragraph()
                paragraph.add_run(f"{label}{item.colon}").bold = True
                paragraph.add_run(text)
            for text in answer[1:]:
                document.add_paragraph(text)
    document.save(path)
    return path
