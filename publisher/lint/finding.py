"""What a lint rule reports: a located finding with an optional safe edit."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Edit:
    """Replace `before` at `offset` in the text field `field` of a file with `after`."""

    field: str
    offset: int
    before: str
    after: str


@dataclass(frozen=True, order=True)
class Finding:
    """One editorial problem, located in its YAML file (1-based line and column)."""

    path: str
    line: int
    column: int
    rule: str
    severity: str
    message: str
    subject: str = ""
    suggestion: str | None = None
    fix: Edit | None = field(default=None, compare=False)

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}"
        text = f"{where}: {self.severity} [{self.rule}] {self.message}"
        if self.fix is not None:
            text += f" (fixable: {self.fix.before!r} → {self.fix.after!r})"
        elif self.suggestion:
            text += f" (suggestion: {self.suggestion})"
        return text

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "file": self.path, "line": self.line, "column": self.column, "rule": self.rule,
            "severity": self.severity, "message": self.message, "subject": self.subject,
            "suggestion": self.suggestion, "fix": None,
        }
        if self.fix is not None:
            data["fix"] = {"field": self.fix.field, "offset": self.fix.offset,
                           "before": self.fix.before, "after": self.fix.after}
        return data


def field_name(keys: tuple[str | int, ...]) -> str:
    """('qa', 0, 'answer', 1) → 'qa[0].answer[1]'."""
    out = ""
    for key in keys:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else key)
    return out


def field_keys(name: str) -> tuple[str | int, ...]:
    """'qa[0].answer[1]' → ('qa', 0, 'answer', 1)."""
    keys: list[str | int] = []
    for part in re.finditer(r"\[(\d+)\]|\.?([^.\[\]]+)", name):
        keys.append(int(part[1]) if part[1] is not None else part[2])
    return tuple(keys)
