"""Property: any book in the accepted shapes is imported paragraph for paragraph."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from publisher.content.importer import parse_source
from publisher.content.importer.speakers import COMPOUND_SURNAMES

FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TEXT = st.text(alphabet=st.sampled_from(list("的一是在了有和人这中大为上个国我以要他时来用们生到作地"
                                             "于出就分对成会可主发年动同工也能下过子说产种面而方后多定"
                                             "，。、；？！“”《》0123456789ABCxyz")),
               min_size=1, max_size=40)
# A paragraph that begins with a label is read as labelled: that is the format, not a defect.
BODY = TEXT.filter(lambda t: not t.startswith(("问", "答", "A", "B", "C", "x", "y", "z")))
NAME = st.text(alphabet=st.sampled_from(list("张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗欧阳")),
               min_size=2, max_size=4)
REGION = st.sampled_from(["成都市", "泸州市", "阿坝州", "甘孜藏族自治州", "峨边彝族自治县",
                          "大兴安岭地区", "锡林郭勒盟", "武侯区", "北川县"])
LABELS = st.sampled_from([("问", "答"), ("Q", "A"), ("记者", "{name}"), ("主持人", "{surname}主席")])


@st.composite
def interviews(draw: st.DrawFn) -> tuple:
    name = draw(NAME)
    q, a = draw(LABELS)
    # 欧阳何 is 欧阳主席: a two-character surname when the name is longer than it.
    surname = name[:2] if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else name[0]
    a = a.format(name=name, surname=surname)
    pairs = draw(st.lists(st.tuples(BODY, st.lists(BODY, min_size=1, max_size=5)),
                          min_size=1, max_size=4))
    return draw(BODY), draw(REGION), name, q, a, draw(st.sampled_from(["：", ":", " "])), pairs


@FAST
@given(st.lists(interviews(), min_size=1, max_size=4))
def test_any_number_of_paragraphs_with_any_labels(items: list) -> None:
    lines = []
    for headline, region, name, q, a, colon, pairs in items:
        lines += [headline, f"{region}妇联主席 {name}"]
        for question, answer in pairs:
            lines += [f"{q}{colon}{question}", f"{a}{colon}{answer[0]}", *answer[1:]]
    result = parse_source("\n".join(lines) + "\n", "source.txt")
    assert len(result.interviews) == len(items)
    for got, (headline, region, name, _, _, _, pairs) in zip(result.interviews, items, strict=True):
        assert (got.headline, got.name, got.region) == (headline, name, region)
        assert [(p.question, p.answer) for p in got.pairs] == pairs
