"""Seeded generator of large synthetic books made by reshuffling the first book's real text."""

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
