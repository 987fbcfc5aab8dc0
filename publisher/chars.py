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

# Full-width punctuation of Chinese running text, and the marks set full-width beside it.
CJK_PUNCT_RANGES = "\u3000-\u3006\u3008-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
WIDE_MARKS = "“”‘’—…·"
CJK = re.compile(f"[{HAN_RANGES}{CJK_PUNCT_RANGES}{WIDE_MARKS}]")

# A personal name: 2–6 Han characters (any extension), a transcribed name with a middle dot
# (阿依古丽·买买提), or a Latin name.
PERSON_NAME = re.compile(
    f"(?:[{HAN_RANGES}]{{2,6}}|[{HAN_RANGES}]+(?:[·•‧・][{HAN_RANGES}]+)+|[A-Z][\\w .'-]+)")


def is_han(char: str) -> bool:
    """Whether `char` is one Han ideograph (any CJK extension, compatibility forms, 〇)."""
    return len(char) == 1 and HAN.match(char) is not None


def is_cjk(char: str) -> bool:
    """Whether `char` is a Han ideograph or a mark of Chinese running text."""
    return len(char) == 1 and CJK.match(char) is not None


def is_person_name(text: str) -> bool:
    """Whether `text` reads as a personal name (Chinese, transcribed with ·, or Latin)."""
    return PERSON_NAME.fullmatch(text) is not None
