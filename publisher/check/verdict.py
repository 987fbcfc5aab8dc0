"""What one check tool said about one artifact: the type `check` and `preflight` both build."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Finding:
    """What one tool said about one artifact; `ran` is False when the tool is not installed."""

    tool: str
    ok: bool
    messages: list[str] = field(default_factory=list)
    ran: bool = True
