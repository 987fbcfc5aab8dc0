"""Notices: irregularities the importer tolerates, grouped one line per kind."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

SHOWN_LINES = 5  # line numbers listed per kind; the count says how many there are


@dataclass(frozen=True)
class Notice:
    """One tolerated irregularity at a source line; `kind` is the same text for all alike."""

    path: str
    line: int | None
    kind: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.kind}" if self.line else f"{self.path}: {self.kind}"


def count(number: int, noun: str) -> str:
    """`1 interview`, `2 interviews`: a number with its noun in the right number."""
    return f"{number:,} {noun}" + ("" if number == 1 else "s")


def grouped(notices: Iterable[Notice]) -> list[str]:
    """One line per (file, kind): `src.txt:3: kind (166 times: lines 3, 4, 5, 6, 7, …)`."""
    groups: dict[tuple[str, str], list[int | None]] = {}
    for notice in notices:
        groups.setdefault((notice.path, notice.kind), []).append(notice.line)
    lines = []
    first = {key: min((n for n in where if n is not None), default=0)
             for key, where in groups.items()}
    for (path, kind), where in sorted(groups.items(), key=lambda g: (g[0][0], first[g[0]])):
        numbers = sorted({n for n in where if n is not None})
        head = f"{path}:{numbers[0]}" if numbers else path
        if len(where) == 1:
            lines.append(f"{head}: {kind}")
            continue
        shown = ", ".join(str(n) for n in numbers[:SHOWN_LINES])
        more = ", …" if len(numbers) > SHOWN_LINES else ""
        lines.append(f"{head}: {kind} ({len(where)} times: lines {shown}{more})")
    return lines
