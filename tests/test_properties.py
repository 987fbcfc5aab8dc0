"""Property tests: the importer and the loader fail only with ContentError or problems."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from publisher.content import yamlsafe
from publisher.content.importer import parse_source
from publisher.content.load import read_book, read_interview
from publisher.errors import ContentError, Problem

FAST = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

# Text that looks like content: CJK, YAML punctuation, markers, controls, odd code points.
YAMLISH = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("问答：:-[]{}&*!|>'\"#%@`,?\n\t 　成都市妇联主席张三\\")),
        st.characters(),
    ),
    max_size=300,
)


def _check_problems(problems: list[Problem]) -> None:
    for problem in problems:
        assert isinstance(problem, Problem) and problem.message
        assert problem.line is None or problem.line >= 1


@FAST
@given(st.binary(max_size=400))
def test_yaml_parse_never_raises_on_bytes(data: bytes) -> None:
    doc, problems = yamlsafe.parse(data, "f.yaml")
    assert (doc is None) == bool(problems)
    _check_problems(problems)


@FAST
@given(YAMLISH)
def test_loader_never_raises_on_text(text: str) -> None:
    doc, problems = yamlsafe.parse(text.encode("utf-8", "surrogatepass"), "f.yaml")
    _check_problems(problems)
    if doc is not None:
        for reader in (lambda d: read_interview(d, Path("/nonexistent")), read_book):
            value, found = reader(doc)
            assert (value is None) == bool(found) or value is None
            _check_problems(found)


FIELD_VALUES = st.one_of(
    st.sampled_from(["no", "yes", "0755", "1e3", "~", "null", "", "[]", "{}", "- a", "&a x",
                     "!!python/object:os.system", "'quoted'", "\"\\x07\"", "1", "成都市"]),
    YAMLISH.map(lambda t: t.replace("\n", " ")),
)


@FAST
@given(st.dictionaries(
    st.sampled_from(["order", "slug", "region", "headline", "interviewee", "qa", "portrait",
                     "notes", "extra"]),
    FIELD_VALUES, max_size=9))
def test_interview_schema_never_raises(fields: dict[str, str]) -> None:
    text = "".join(f"{key}: {value}\n" for key, value in fields.items())
    doc, problems = yamlsafe.parse(text.encode("utf-8", "surrogatepass"), "i.yaml")
    _check_problems(problems)
    if doc is not None:
        interview, found = read_interview(doc, Path("/nonexistent"))
        _check_problems(found)
        assert interview is None or not found


@FAST
@given(YAMLISH)
def test_importer_raises_only_content_error(text: str) -> None:
    try:
        result = parse_source(text, "source.txt")
    except ContentError as exc:
        _check_problems(exc.problems)
        assert str(exc)
        return
    _check_problems(result.notices)


# --- faithfulness on well-formed sources ----------------------------------------------------

HAN = st.text(alphabet=st.sampled_from(list("的一是在了有和人这中大为上个国我以要他时来用们生到作地"
                                             "于出就分对成会可主发年动同工也能下过子说产种面而方后多定"
                                             "行学法所民得经十三之进着等部度家电力里如水化高自二理起小物"
                                             "，。、；？！“”《》0123456789ABCxyz")),
              min_size=1, max_size=40)
BODY = HAN.filter(lambda t: t[0] not in "问答")
NAME = st.text(alphabet=st.sampled_from(list("张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗")),
               min_size=2, max_size=3)
REGION = st.sampled_from(["成都市", "自贡市", "攀枝花市", "甘孜藏族自治州", "凉山彝族自治州",
                          "阿坝州", "宜宾市"])


@st.composite
def interviews(draw: st.DrawFn) -> tuple[str, str, str, list[tuple[str, list[str]]]]:
    # Two unmarked lines before a question are how the format starts an interview, so a
    # well-formed answer has at most one unmarked further paragraph.
    pairs = draw(st.lists(st.tuples(BODY, st.lists(BODY, min_size=1, max_size=2)),
                          min_size=1, max_size=4))
    return draw(BODY), draw(REGION), draw(NAME), pairs


@FAST
@given(st.lists(interviews(), min_size=1, max_size=4), st.sampled_from(["：", ":"]))
def test_importer_is_faithful(items: list, colon: str) -> None:
    lines = []
    for headline, region, name, pairs in items:
        lines += [headline, f"{region}妇联主席 {name}"]
        for question, answer in pairs:
            lines.append(f"问{colon}{question}")
            lines.append(f"答{colon}{answer[0]}")
            lines += answer[1:]  # further paragraphs are unmarked lines
    result = parse_source("\n".join(lines) + "\n", "source.txt")
    assert len(result.interviews) == len(items)
    for got, (headline, region, name, pairs) in zip(result.interviews, items, strict=True):
        assert got.headline == headline
        assert got.name == name
        assert got.office == f"{region}妇联主席"
        assert got.region == region
        assert [(p.question, p.answer) for p in got.pairs] == [(q, a) for q, a in pairs]
