"""Character classes of Chinese text: one definition for the loader, lint, typography and checks."""

from __future__ import annotations

import re

# Han ideographs: CJK Unified Ideographs and every extension (A–I), the compatibility
# ideographs and their supplement, and 〇 (U+3007, the ideographic zero used in dates).
# Rare characters in personal names (生僻字) live in the extensions.
HAN_RANGES = (
    "\u3007"
    "\u3400-\u4dbf"  # Extension A
    "\u4e00-\u9fff"  # CJK Unified Ideographs
    "\uf900-\ufaff"  # Compatibility Ideographs
    "\U00020000-\U0002a6df"  # Extension B
    "\U0002a700-\U0002ebef"  # Extensions C, D, E, F
    "\U0002ebf0-\U0002ee5f"  # Extension I
    "\U0002f800-\U0002fa1f"  # Compatibility Ideographs Supplement
    "\U00030000-\U000323af"  # Extensions G, H
)
HAN = re.compile(f"[{HAN_RANGES}]")
HAN_RUN = re.compile(f"[{HAN_RANGES}]+")

# What else is set as a letter on the ideographic square: radicals, the iteration marks
# 々〻, Hangzhou numerals and kana. Typography treats these like Han beside Latin letters.
KANA_RANGES = "\u3040-\u30ff\u31f0-\u31ff"
SQUARE_RANGES = f"{HAN_RANGES}\u2e80-\u2fdf\u3005\u3021-\u3029\u3038-\u303b{KANA_RANGES}"
SQUARE = re.compile(f"[{SQUARE_RANGES}]")

# Letters and digits of the alphabetic scripts (Latin, Greek, Cyrillic) set among Chinese.
LATIN_RANGES = "0-9A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff"
LATIN = re.compile(f"[{LATIN_RANGES}]")

# Full-width punctuation of Chinese running text, and the marks set full-width beside it.
CJK_PUNCT_RANGES = "\u3000-\u3006\u3008-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
WIDE_MARKS = "“”‘’—―…·"
CJK = re.compile(f"[{HAN_RANGES}{CJK_PUNCT_RANGES}{WIDE_MARKS}]")

# Everything set on the full-width grid, so stretched by CJK justification: the square
# letters, CJK symbols and punctuation, bopomofo, Hangul, enclosed and compatibility forms,
# vertical and small forms, full-width ASCII and signs.
FULLWIDTH_MARK_RANGES = "\u3000-\u303f\uff01-\uff60"
WIDE_RANGES = (
    f"{SQUARE_RANGES}{FULLWIDTH_MARK_RANGES}"
    "\u1100-\u11ff\u3100-\u312f\u3130-\u318f\u3200-\u33ff\uac00-\ud7af"
    "\ufe10-\ufe1f\ufe30-\ufe4f\uffe0-\uffe6"
)

# Line breaking (clreq 禁则): marks that must not start a line, and marks that must not end one.
NO_START = frozenset("，。、；：？！）》」』】〕〉〗”’…·～—―%‰℃,.;:?!)]}")
NO_END = frozenset("（《「『【〔〈〖“‘([{")

# The middle dots that join the parts of a transcribed name (阿依古丽·买买提), as typed.
NAME_DOTS = "·•‧・"
# A personal name: 2–8 Han characters (any extension; 索南才让多杰 has six, transcribed
# names written without a dot more), a transcribed name with a middle dot,
# or a Latin name.
PERSON_NAME = re.compile(
    f"(?:[{HAN_RANGES}]{{2,8}}|[{HAN_RANGES}]+(?:[{NAME_DOTS}][{HAN_RANGES}]+)+|[A-Z][\\w .'-]+)")


def is_han(char: str) -> bool:
    """Whether `char` is one Han ideograph (any CJK extension, compatibility forms, 〇)."""
    return len(char) == 1 and HAN.match(char) is not None


def is_square(char: str) -> bool:
    """Whether `char` is a letter of the ideographic square: Han, kana, radicals, 々."""
    return len(char) == 1 and SQUARE.match(char) is not None


def is_latin(char: str) -> bool:
    """Whether `char` is a Latin, Greek or Cyrillic letter or an ASCII digit."""
    return len(char) == 1 and LATIN.match(char) is not None


def is_cjk(char: str) -> bool:
    """Whether `char` is a Han ideograph or a mark of Chinese running text."""
    return len(char) == 1 and CJK.match(char) is not None


def is_person_name(text: str) -> bool:
    """Whether `text` reads as a personal name (Chinese, transcribed with ·, or Latin)."""
    return PERSON_NAME.fullmatch(text) is not None
