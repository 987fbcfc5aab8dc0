"""slip.visual and slip.symbol: the planted test set, the findings' shape, symbols, laziness."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks import slips as bench  # noqa: E402
from publisher.cli import main  # noqa: E402
from publisher.lint import confusables, lint_project, rules_slips, slip_context  # noqa: E402
from publisher.text import people  # noqa: E402

BOOK = """title: 测试
language: zh-CN
editors: [丙城编辑部]
publisher: 丙城出版社
edition: 第1版
date: "2024-05-01"
identifier: urn:uuid:00000000-0000-4000-8000-000000000001
slug: slips
"""
INTERVIEW = """# imported
order: 1
slug: a
region: 东川市
headline: 让乡村更美丽
interviewee:
  name: 王小红
  office: 东川市妇联主席
qa:
- question: 今年有哪些新做法？
  answer:
  - {answer}
"""


def project(tmp_path: Path, answer: str, allow: str = "") -> Path:
    root = tmp_path / "p"
    (root / "content/interviews").mkdir(parents=True)
    (root / "content/book.yaml").write_text(BOOK, encoding="utf-8")
    (root / "content/interviews/01-a.yaml").write_text(INTERVIEW.format(answer=answer),
                                                       encoding="utf-8")
    if allow:
        (root / "content/lint-allow.yaml").write_text(allow, encoding="utf-8")
    return root


def slips(root: Path) -> list:
    return [f for f in lint_project(root, glyphs=False) if f.rule.startswith("slip.")]


@pytest.fixture(scope="module")
def measured() -> bench.Result:
    return bench.evaluate(bench.SETS["tuning"])


@pytest.fixture(scope="module")
def heldout() -> bench.Result:
    return bench.evaluate(bench.SETS["held-out"])


def test_planted_slips_are_found_where_they_are(measured: bench.Result) -> None:
    # Measured (docs/linter.md): 57 of the 71 slips of the set the thresholds were chosen on.
    assert len(measured.planted) == 71
    assert measured.recall >= 0.80, [p["after"] for p, hit in measured.planted if not hit]
    assert measured.precision >= 0.95, [str(f) for f in measured.extra]


def test_held_out_slips_are_found_where_they_are(heldout: bench.Result) -> None:
    # Three interviews and 35 slips (OCR, shared components, pinyin input, symbols) written
    # before the sound and component candidates, never used to choose a threshold: 23 found.
    assert len(heldout.planted) == 35
    assert heldout.recall >= 0.74, [p["after"] for p, hit in heldout.planted if not hit]
    assert heldout.precision >= 0.85, [str(f) for f in heldout.extra]
    kinds = {p["kind"].split()[0] for p, hit in heldout.planted if hit}
    assert {"ocr", "component", "ime", "symbol"} <= kinds


# Each set written by someone who had not seen the rule, first measured as it stood (recall,
# precision, false alarms in its clean text), then used to tune (docs/linter.md): what
# it measures now must stay at least as good as it did then.
HELD_OUT = [  # set, slips, first measure (found, precision, false alarms), now (found, alarms)
    ("held-out-2", 46, (25, 0.76, 7), (29, 2)),
    ("held-out-3", 48, (28, 0.82, 5), (34, 3)),
    ("held-out-4", 48, (25, 0.76, 7), (27, 5)),
    ("held-out-5", 48, (17, 0.74, 6), (18, 4)),
    ("held-out-6", 48, (23, 0.85, 3), (24, 3)),
    ("held-out-7", 48, (25, 0.86, 6), (26, 5)),
    ("held-out-8", 48, (19, 0.76, 6), (19, 6)),
]


@pytest.mark.parametrize(("name", "size", "first", "now"), HELD_OUT)
def test_held_out_set_as_first_measured_or_better(name: str, size: int,
                                                  first: tuple[int, float, int],
                                                  now: tuple[int, int]) -> None:
    result = bench.evaluate(bench.SETS[name])
    found = sum(hit is not None for _, hit in result.planted)
    assert len(result.planted) == size
    assert found >= now[0] >= first[0], [p["after"] for p, hit in result.planted if not hit]
    assert result.precision >= first[1], [str(f) for f in result.extra]
    assert len(result.clean) <= now[1] <= first[2], [str(f) for f in result.clean]


def test_clean_text_raises_at_most_one_suspect_per_thousand_characters(
        measured: bench.Result, heldout: bench.Result) -> None:
    assert measured.clean_chars > 5000 and heldout.clean_chars > 2500
    assert measured.per_thousand <= 1.0, [str(f) for f in measured.clean]
    assert heldout.per_thousand <= 1.0, [str(f) for f in heldout.clean]


def test_finding_names_suspect_correction_and_evidence(tmp_path: Path) -> None:
    root = project(tmp_path, "我们加强思想政治引瓴,团结妇女群众。")
    [finding] = slips(root)
    assert (finding.rule, finding.severity, finding.subject, finding.suggestion) == (
        "slip.visual", "warning", "引瓴", "引领")
    assert finding.fix is None
    assert "“瓴” may be a slip for the look-alike “领”" in finding.message
    assert "× more likely" in finding.message
    line = (root / finding.path).read_text(encoding="utf-8").split("\n")[finding.line - 1]
    assert line[finding.column - 1] == "瓴"


@pytest.mark.parametrize(("text", "suspect", "correction"), [
    ("口号是“她动能”十“她认同”。", "十", "+"),
    ("推动体育十旅游融合发展。", "十", "+"),
    ("他说:“手艺—一就是功夫。”", "一", "——"),
    ("计划到2O25年完成。", "O", "0"),
    ("二O二三年开工。", "O", "〇"),
    ("共投入1l0万元。", "l", "1"),
    ("传承人刘德□今年六十八岁。", "□", "the missing character"),
    ("传承人刘德口今年六十八岁。", "口", "the missing character"),
    ("她在这个岗位上千了25个年头。", "千了", "干了"),
    ("县入民医院建立了远程会诊系统。", "入民", "人民"),
    ("让市民的曰常生活更方便。", "曰常生活", "日常生活"),
    ("小时侯在河里游泳。", "小时侯", "小时候"),
    ("他是一名潜水爱奷者。", "爱奷者", "爱好者"),  # 奷 is outside GB 2312
    ("我们分析了后台的借阅数揭。", "数揭", "数据"),  # 揭/据 share 扌
    ("安装了高清摄象头。", "摄象头", "摄像头"),  # same sound, xiang4
    ("这台设备的螺拴松动了。", "螺拴", "螺栓"),  # both alike and same-sounding
    ("这套系统己经投入使用。", "己经", "已经"),  # a slip the word list records as a word
    ("这里是国家极自然保护区。", "国家极", "国家级"),  # completes a word of three characters
    ("柑橘、猕候桃都能直接卖到城里。", "猕候桃", "猕猴桃"),  # built on 侯, rhyming (hou)
    ("提前布署抢险队伍和物资。", "布署", "部署"),  # a recorded slip of the same sound
    ("这些年家乡的变化真是翻天复地。", "翻天复地", "翻天覆地"),  # an idiom, beside common 地
    ("一路上吐得一踏糊涂。", "一踏糊涂", "一塌糊涂"),
    ("我们祖祖辈背都靠这片山吃饭。", "祖祖辈背", "祖祖辈辈"),
    ("白天上山看青。", "看青", "看看"),  # a book that does not make words with 青
    ("一个人就得身兼数值。", "身兼数值", "身兼数职"),  # an idiom, though 数值 is a word
    ("孩子们迫不急待地跑了出去。", "迫不急待", "迫不及待"),  # the web's misspelling
    ("大家再接再励，争取更大成绩。", "再接再励", "再接再厉"),
    ("他时常提醒自已要冷静。", "自已", "自己"),  # a common word of the web, a slip all the same
    ("他的眼晴很亮。", "眼晴", "眼睛"),  # a rare word of the web (10^-7.2), glyphs 96 % alike
    ("他l984年出生。", "l", "1"),
    ("强化思想政治引瓴引导妇女。", "引瓴", "引领"),  # 引…引 is no frame: 引导 is a word
    ("资源有限,不能竭泽而鱼。", "竭泽而鱼", "竭泽而渔"),
    ("冰层冻到4O厘米厚。", "O", "0"),  # a letter O ending a number
    ("亩产提高了O.3吨。", "O", "0"),  # ... or heading one (No.3 is a number's name)
    ("超过l8万人次。", "l", "1"),  # a letter l before a number of a unit
    ("社区推行“网格十志愿者”模式。", "十", "+"),  # 网格 is a rarer word (10^-5.65)
    ("这些年积垒了不少经验。", "积垒", "积累"),  # the same syllable in another tone
    ("她穿着一件百折裙去赶集。", "百折裙", "百褶裙"),
    ("这样做即省时又省力。", "即", "既"),  # 既…又 (both … and): 即 and 既 are both ji4
    # a word of three completed, which the book uses twice elsewhere
    ("老传承人带新传承人,他是第五代传承入。", "传承入", "传承人"),
])
def test_slips_are_reported_with_their_correction(tmp_path: Path, text: str, suspect: str,
                                                   correction: str) -> None:
    found = [(f.subject, f.suggestion) for f in slips(project(tmp_path, text))]
    assert found == [(suspect, correction)]


@pytest.mark.parametrize("text", [
    "学习党的二十大精神,十分重要。",
    "办好妇女儿童关爱十项实事。",
    "他们一一登记,发展O2O模式。",
    "参加活动的人数上千了。",
    "今年他五十了,还在一线。",
    "出人意料的是,入口处排起了长队。",
    "我们在2023年投入1,000万元,建设APP和5G网络。",
    "冉体兰是一名护士,冉体兰的故事感动了很多人。",
    "第一步是摸家底,再排进计划,租来的厂房也算。",  # rare words, no near-identical glyph
    "依法处理涉诉涉法信访事项。",  # a parallel phrase: 涉 said twice is chosen, not 设法
    "漆器髹饰技艺传承至今。",  # 髹 is rare: typed on purpose, not picked by a pinyin slip
    "商场推出“摄象头”优惠。",  # a short quotation: slogans pun on purpose
    "全县人口三十万,村口有一口井,出口产品口碑好,一家三口,口、手、眼并用。",
    "退休护士王桂芝和老支书刘佑民都来了。",  # names: 王佳芝 and 刘伯 are in the word list
    "那年冬天,老队长汪锋带着我们巡线,稿件由钟霄整理。",  # not 汪峰, 神霄: two-character names
    "人一走就失传了,大家走一走、看一看,我心一软就答应了。",  # not 一定, not 一款
    "先摊青、翻青,再摇青、晾青,白天上山看青。",  # the book's own words with 青
    "这一举多得的办法,让大家一声不吭地干到天黑,真是一字不差。",  # set phrases, not idioms
    "他们从天山深处走来。",  # a place (天山), not 大山深处
    "鱼越打越少,大家边走边看。",  # 越…越, 边…边: not 越行越
    "渔民捕鱼、卖鱼、晒鱼,带鱼和鲳鱼都是海鱼,不能竭泽而渔。",  # the book's 鱼
    "发展水产品精深加工。",  # a word of the list (10^-5.9), not a recorded slip of 精神
    "全县是产粮大县。",  # 产粮 (10^-7.1) is a word, 产量's glyphs are not all but the same
    "No.3车间和GO.3型都已投产。",  # a letter before O.3: a name, not a number
    "靠眼看、手摸、鼻闻、口尝来判断,分兵把口。",  # 口 at the end of a run: a word
    "载货吨位都能实时查到。",  # a verb and its complement: not 直到
    "立即又赶了回去,即使下雨也要去。",  # 即 in a word: not 既…又
    "养了二十口网箱,一年卖十几万斤鱼。",  # measure words after a numeral: not 二十日, 金鱼
    "能坚持下来的都是好样的。",  # two common words (坚持 下来), no set phrase (坚持下去) misspelt
    "以前一个电话打不通,现在看得清了。",  # 打通 with 不 inside: not 行不通
    "火大了发黑,火小了粘不牢。",  # clauses begun alike: not 大大, 大小
])
def test_ordinary_text_raises_nothing(tmp_path: Path, text: str) -> None:
    assert slips(project(tmp_path, text)) == []


def test_a_pair_that_is_no_word_is_one_suspect_at_most() -> None:
    # 手稳 (steady hands) reads as 平稳 and as 手稿: both characters are suspects, the pair
    # is one place to look at.
    text = "一块冰反复劈、反复铲,手稳了再谈创作。"
    assert len(rules_slips.suspects(text)) <= 1
    assert len(rules_slips._visual("反复铲手稳了再谈创作", 0, text, [])) == 2


def test_allowlist_accepts_a_slip_finding(tmp_path: Path) -> None:
    allow = "- rule: slip.visual\n  text: 引瓴\n  reason: a test accepts it\n"
    root = project(tmp_path, "我们加强思想政治引瓴。", allow)
    findings = lint_project(root, glyphs=False)
    assert not [f for f in findings if f.rule.startswith(("slip", "allowlist"))]


def test_fix_never_applies_a_slip(tmp_path: Path) -> None:
    root = project(tmp_path, "我们加强思想政治引瓴。")
    before = (root / "content/interviews/01-a.yaml").read_bytes()
    with pytest.raises(SystemExit):
        main(["lint", str(root), "--fix"])
    assert (root / "content/interviews/01-a.yaml").read_bytes() == before
    assert [f.subject for f in slips(root)] == ["引瓴"]


def test_lookalike_table_holds_the_classic_confusions() -> None:
    table = {ch: {other for other, _ in others}
             for ch, others in confusables.lookalikes().items()}
    for a, b in ["人入", "日曰", "干千", "干于", "领瓴", "帼帽", "村材", "己已", "末未", "戊戌",
                 "候侯"]:
        assert b in table[a] and a in table[b], (a, b)


def test_sound_evidence_names_the_shared_reading(tmp_path: Path) -> None:
    [finding] = slips(project(tmp_path, "安装了高清摄象头。"))
    assert "“象” may be a slip for the same-sounding (xiang4) “像”" in finding.message
    assert "“摄象头” is no word" in finding.message


def test_another_tone_is_named_with_both_readings(tmp_path: Path) -> None:
    [finding] = slips(project(tmp_path, "这些年积垒了不少经验。"))
    assert "“垒” may be a slip for “累”, the same syllable in another tone (lei3/lei4)" in (
        finding.message)
    assert {"累", "泪", "雷"} <= confusables.other_tones("垒")  # lei4, lei4, lei2
    assert "磊" not in confusables.other_tones("垒")  # lei3: the same tone is a homophone
    assert "无" not in confusables.other_tones("莫")  # mo2 is 无's rare reading
    assert {"查", "描", "装"} <= confusables.verbs() and "的" not in confusables.verbs()


def test_sound_and_component_tables_are_derived_and_complete() -> None:
    assert {"部", "步", "不"} <= confusables.homophones("布")  # bu4
    assert "不" not in confusables.homophones("甫")  # fu1 is a rare reading of 不
    assert "预" not in confusables.homophones("宇")  # yu4 and yu3: another tone
    assert confusables.readings()["搬"] == ("ban1",)  # su4: Unihan's, in no word
    assert confusables.readings()["长"] == ("zhang3", "chang2")  # 长大, 长城
    parts = {ch: {o for o, _ in others} for ch, others in confusables.components().items()}
    for a, b in ["据揭", "倍陪", "扳板"]:
        assert b in parts[a] and a in parts[b], (a, b)


def test_parts_and_names_tables_are_derived_and_complete() -> None:
    assert {"猴", "喉"} <= confusables.kin("候") and "猴" not in confusables.kin("住")
    assert "掉" not in confusables.kin("描")  # 扌 is a radical, not a sound component
    assert confusables.shared_parts("驾", "架") == {"加"}
    surnames, given = people.shares()
    assert min(surnames[c] for c in "李王刘陈杨") > 0.5  # nearly always surnames where seen
    assert surnames.get("于", 0) < 0.1 and surnames.get("高", 0) < 0.1  # mostly words
    assert given["民"] > 0.05 and "的" not in given and given.get("在", 0) < 0.005


def test_idioms_are_the_dictionarys_and_jiebas() -> None:
    right, every = confusables.idioms()
    assert {"迫不及待", "再接再厉", "翻天覆地"} <= right and len(right) > 29_000
    assert "迫不急待" in every - right  # jieba's list has the web's misspellings too
    assert "身兼数职" in every - right  # and set phrases the dictionary lacks


def test_the_book_bonus_is_for_the_books_own_words() -> None:
    book = "巾帼" * 100 + "已经" * 10 + "的" * 15_880  # 16,000 characters
    assert slip_context.keyness("巾帼", 100, len(book)) == slip_context.BOOK_BONUS
    assert slip_context.keyness("已经", 10, len(book)) == 0.0
    assert slip_context.keyness("巾帼", 1, len(book)) == 0.0


def test_word_list_and_table_load_only_when_the_rule_runs() -> None:
    code = ("import sys, publisher.cli, publisher.lint; c = publisher.lint.confusables; "
            "print('wordfreq' in sys.modules, *(f.cache_info().currsize for f in "
            "(c.lookalikes, c.components, c.readings, c.frequencies)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=REPO, check=True).stdout.split()
    assert out == ["False", "0", "0", "0", "0"]


def test_margin_is_what_the_benchmark_reports() -> None:
    assert rules_slips.MARGIN == 3.5  # docs/linter.md gives the sweep this value comes from


def test_a_traditional_book_gets_only_the_symbol_checks(tmp_path: Path) -> None:
    root = project(tmp_path, "我們加強思想政治引瓴，口號是“她動能”十“她認同”。")
    (root / "content/book.yaml").write_text(BOOK.replace("zh-CN", "zh-TW"), encoding="utf-8")
    assert [(f.rule, f.subject) for f in slips(root)] == [("slip.symbol", "十")]
    root = project(tmp_path / "s", "我们加强思想政治引瓴，口号是“她动能”十“她认同”。")
    assert [(f.rule, f.subject) for f in slips(root)] == [
        ("slip.visual", "引瓴"), ("slip.symbol", "十")]


def test_text_that_makes_no_words_is_not_judged(monkeypatch: pytest.MonkeyPatch) -> None:
    # Random common characters: 80 % of them in no word (modern prose: 25 to 40 %).
    seed, chars, out = 7, "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可", []
    for _ in range(3000):
        seed = (seed * 1103515245 + 12345) % 2**31
        out.append(chars[(seed >> 8) % len(chars)])
    text = "".join(out)
    assert rules_slips._wordless_share(list(rules_slips.RUN.finditer(text))) > 0.7
    assert rules_slips.suspects(text) == []
    monkeypatch.setattr(rules_slips, "WORDLESS", 1.0)  # judged anyway: noise
    assert len(rules_slips.suspects(text)) > 0
    for name in ("clean-a.txt", "heldout/clean-g.txt"):
        prose = (bench.FIXTURES / name).read_text(encoding="utf-8")
        assert rules_slips._wordless_share(list(rules_slips.RUN.finditer(prose))) < 0.45


def test_prose_of_many_one_character_words_is_judged() -> None:
    # A paragraph on embroidery, 64 % of its characters in no word of two or more (她, 绣,
    # 花, 线): still prose, and its slip is found.
    text = bench.slipped("clean-p.txt", bench.SETS["held-out-3"])
    [para] = [line for line in text.split("\n") if "兴望" in line]
    assert 0.6 < rules_slips._wordless_share(list(rules_slips.RUN.finditer(para))) < 0.7
    assert "兴望" in [s.subject for s in rules_slips.suspects(para)]
