"""Regenerates publisher/lint/data/confusables.tsv.gz: look-alike characters for slip.visual.

Two sources, merged:
- glyph shapes: every GB 2312 character is rendered with the book's fonts (Noto Sans and
  Serif CJK SC) into a blurred 32×32 bitmap, once as drawn and once stretched to its ink
  box (so 日 and 曰, which differ mostly in proportion, meet); each character keeps its
  closest neighbours under either rendering (cosine similarity of the bitmaps);
- pycorrector's same_stroke.txt (Apache-2.0), the look-alike groups a Chinese spelling
  corrector ships: `pip download --no-deps pycorrector`, unzip, pass --pycorrector DIR;
- for Simplified characters outside GB 2312 that the fonts draw (rare name characters, and
  the odd guesses of OCR), their closest GB 2312 characters, one way.

Run: python -m benchmarks.slips_data --pycorrector /tmp/pyc/pycorrector
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONTS = [("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # index 2 = SC
         ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2)]
OUT = Path(__file__).resolve().parent.parent / "publisher/lint/data/confusables.tsv.gz"
SIZE, CELL, BLUR = 48, 32, 1.2
NEIGHBOURS = 8  # closest characters kept per rendering ...
MIN_SIM = {"drawn": 0.80, "boxed": 0.75}  # ... when at least this similar
KEEP, KEEP_SIM = 12, 0.80  # look-alikes kept per character in the table, at least this similar
RARE_KEEP = 6  # look-alikes kept for a character outside GB 2312


def gb2312() -> str:
    out = []
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                out.append(bytes([hi, lo]).decode("gb2312"))
    return "".join(out)


def render(chars: str, path: str, index: int, boxed: bool) -> np.ndarray:
    """One unit-length, zero-mean blurred bitmap per character."""
    font = ImageFont.truetype(path, SIZE if boxed else CELL, index=index)
    side = SIZE + 16 if boxed else CELL + 8
    rows = np.zeros((len(chars), side * side if not boxed else CELL * CELL), dtype=np.float32)
    for k, ch in enumerate(chars):
        im = Image.new("L", (side, side), 0)
        ImageDraw.Draw(im).text((8, 8) if boxed else (4, 4), ch, fill=255, font=font)
        if boxed and (box := im.getbbox()):
            x0, y0, x1, y1 = box
            w, h = x1 - x0, y1 - y0
            # Stretch at most 1.6× in one direction, so 一 stays a line, not a block.
            if w < h / 1.6:
                x0, x1 = (x0 + x1) / 2 - h / 3.2, (x0 + x1) / 2 + h / 3.2
            if h < w / 1.6:
                y0, y1 = (y0 + y1) / 2 - w / 3.2, (y0 + y1) / 2 + w / 3.2
            small = im.crop((int(x0), int(y0), int(x1 + 0.5), int(y1 + 0.5)))
            im = Image.new("L", (CELL, CELL), 0)
            im.paste(small.resize((CELL - 4, CELL - 4), Image.BILINEAR), (2, 2))
        v = np.asarray(im.filter(ImageFilter.GaussianBlur(BLUR)), dtype=np.float32).ravel()
        v -= v.mean()
        rows[k] = v / (np.linalg.norm(v) + 1e-6)
    return rows


def similarities(chars: str, boxed: bool) -> np.ndarray:
    sims = [(m := render(chars, path, index, boxed)) @ m.T for path, index in FONTS]
    out = np.maximum(*sims)
    np.fill_diagonal(out, -1)
    return out


def rare() -> str:
    """Simplified characters outside GB 2312 that the fonts draw (names, OCR's odd guesses).

    Traditional characters are left out: script.traditional reports those.
    """
    import opencc
    from fontTools.ttLib import TTCollection

    cmap = TTCollection(FONTS[0][0]).fonts[FONTS[0][1]].getBestCmap()
    t2s = opencc.OpenCC("t2s").convert
    common = set(gb2312())
    return "".join(ch for cp in range(0x4E00, 0xA000) if (ch := chr(cp)) not in common
                   and cp in cmap and t2s(ch) == ch)


def rare_lookalikes(chars: str, others: str) -> dict[tuple[str, str], float]:
    """For each rare character, its closest GB 2312 characters (one way: rare → common)."""
    found: dict[tuple[str, str], float] = {}
    for boxed in (False, True):
        kind = "boxed" if boxed else "drawn"
        pairs = [(render(others, path, index, boxed), render(chars, path, index, boxed))
                 for path, index in FONTS]
        for lo in range(0, len(others), 2000):
            sim = np.maximum(*[o[lo:lo + 2000] @ c.T for o, c in pairs])
            top = np.argsort(-sim, axis=1)[:, :RARE_KEEP]
            for i, row in enumerate(top):
                for j in row:
                    if sim[i, j] >= MIN_SIM[kind]:
                        key = (others[lo + i], chars[j])
                        found[key] = max(found.get(key, 0.0), float(sim[i, j]))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pycorrector", type=Path, required=True,
                        help="the pycorrector package directory (holds data/same_stroke.txt)")
    args = parser.parse_args()
    chars = gb2312()
    index = {c: i for i, c in enumerate(chars)}
    best: dict[tuple[str, str], float] = {}
    mats = {kind: similarities(chars, kind == "boxed") for kind in MIN_SIM}
    for kind, mat in mats.items():
        top = np.argsort(-mat, axis=1)[:, :NEIGHBOURS]
        for i, row in enumerate(top):
            for j in row:
                if mat[i, j] >= MIN_SIM[kind]:
                    for a, b in ((chars[i], chars[j]), (chars[j], chars[i])):
                        best[(a, b)] = max(best.get((a, b), 0.0), float(mat[i, j]))
    same_stroke = args.pycorrector / "data" / "same_stroke.txt"
    for line in same_stroke.read_text(encoding="utf-8").splitlines():
        group = line.split()
        for a in group:
            for b in group:
                if a != b and (a, b) not in best:
                    both = a in index and b in index
                    best[(a, b)] = max(float(m[index[a], index[b]]) for m in mats.values()) \
                        if both else 0.0
    for key, sim in rare_lookalikes(chars, rare()).items():
        best[key] = max(best.get(key, 0.0), sim)
    table: dict[str, list[tuple[float, str]]] = {}
    for (a, b), sim in best.items():
        table.setdefault(a, []).append((sim, b))
    lines = []
    for a in sorted(table):
        pairs = [p for p in sorted(table[a], reverse=True) if p[0] >= KEEP_SIM][:KEEP]
        if not pairs:
            continue
        sims = " ".join(str(max(0, round(s * 100))) for s, _ in pairs)
        lines.append(f"{a}\t{''.join(b for _, b in pairs)}\t{sims}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(OUT, "wt", encoding="utf-8", compresslevel=9) as f:
        f.write("\n".join(lines) + "\n")
    pairs = sum(len(line.split("\t")[1]) for line in lines)
    print(f"{OUT}: {len(lines)} characters, {pairs} look-alike pairs")


if __name__ == "__main__":
    main()
