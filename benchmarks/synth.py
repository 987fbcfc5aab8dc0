"""Books to measure: seeded synthetic books reshuffling the first book's real text, and a
copy of a project with one character of one answer changed (the edit-rebuild benchmark)."""

from __future__ import annotations

import random
import shutil
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent


def _real_interviews(source: Path) -> list[dict[str, Any]]:
    files = sorted((source / "content" / "interviews").glob("*.yaml"))
    return [yaml.safe_load(f.read_text(encoding="utf-8")) for f in files]


def _swap_region(text: str, old: str, new: str) -> str:
    """Answers name their own region; keep the synthetic interview consistent with its own."""
    if old == new:
        return text
    text = text.replace(old, new)
    short_old, short_new = old[:-1], new[:-1]  # 成都市 → 成都: the short form is common too
    return text.replace(short_old, short_new) if len(short_old) >= 2 else text


def interviews(count: int, seed: int = 2023, source: Path = REPO) -> list[dict[str, Any]]:
    """`count` interview mappings: each keeps a real region's questions, other answers."""
    real = _real_interviews(source)
    rng = random.Random(seed)
    out = []
    for index in range(count):
        base = real[index % len(real)]
        region = base["region"]
        qa = []
        for position, pair in enumerate(base["qa"]):
            # Take this position's answer from a random interview so pages differ in length.
            donor = rng.choice([r for r in real if len(r["qa"]) > position] or [base])
            answer = donor["qa"][position]["answer"]
            answer = [answer] if isinstance(answer, str) else list(answer)
            rng.shuffle(answer)
            qa.append({"question": pair["question"],
                       "answer": [_swap_region(p, donor["region"], region) for p in answer]})
        headline_from = rng.choice(real)
        person = rng.choice(real)["interviewee"]
        out.append({
            "order": index + 1,
            "slug": f"{base['slug']}-{index + 1:04d}",
            "region": region,
            "headline": _swap_region(headline_from["headline"], headline_from["region"], region),
            "interviewee": {"name": person["name"],
                            "office": f"{region}妇联党组书记、主席"},
            "qa": qa,
        })
    return out


def write_project(target: Path, count: int, seed: int = 2023, source: Path = REPO) -> Path:
    """Write a loadable project of `count` synthetic interviews under `target`; return it."""
    folder = target / "content" / "interviews"
    if target.exists():
        shutil.rmtree(target)
    folder.mkdir(parents=True)
    shutil.copyfile(source / "content" / "book.yaml", target / "content" / "book.yaml")
    for item in interviews(count, seed, source):
        text = yaml.safe_dump(item, allow_unicode=True, sort_keys=False, width=1_000_000)
        (folder / f"{item['order']:04d}-{item['slug']}.yaml").write_text(text, encoding="utf-8")
    return target


def copy_project(source: Path, target: Path) -> Path:
    """Copy what a build reads (content/, and layouts/ and fonts/ if present) to `target`."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("content", "layouts", "fonts"):
        if (source / name).is_dir():
            shutil.copytree(source / name, target / name)
    return target


def edit_one_answer(project: Path, index: int = 10, old: str = "。", new: str = "！"
                    ) -> dict[str, Any]:
    """Change the first `old` of the first answer paragraph holding one, in the `index`-th
    interview file (the last if there are fewer), as an editor would: a text edit of the
    YAML file, the rest of it byte for byte unchanged. Checked by loading the project again:
    exactly that one paragraph differs. Returns what was changed."""
    from publisher.content.load import load_project

    files = sorted((project / "content" / "interviews").glob("*.yaml"))
    path = files[min(index, len(files) - 1)]
    before = _paragraphs(load_project(project))
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    paragraph = next(p for pair in data["qa"]
                     for p in ([pair["answer"]] if isinstance(pair["answer"], str)
                               else pair["answer"]) if old in p)
    at = text.find(paragraph)  # a plain scalar: the paragraph is in the file as it is read
    if at < 0:
        raise ValueError(f"{path.name}: the answer is not written out plainly; cannot edit it")
    at += paragraph.index(old)
    path.write_text(text[:at] + new + text[at + len(old):], encoding="utf-8")
    after = _paragraphs(load_project(project))
    changed = [(b, a) for b, a in zip(before, after, strict=True) if b != a]
    if len(changed) != 1 or changed[0][1] != changed[0][0].replace(old, new, 1):
        raise ValueError(f"{path.name}: the edit changed {len(changed)} paragraphs, not one")
    return {"file": path.name, "offset": at, "old": old, "new": new,
            "paragraph": changed[0][1][:40]}


def _paragraphs(project: Any) -> list[str]:
    return [p for interview in project.interviews for pair in interview.qa for p in pair.answer]
