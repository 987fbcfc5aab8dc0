"""publisher: structured interview collections to a print-ready PDF and an EPUB 3."""

from pathlib import Path

__version__ = "0.1.0"

_PACKAGE = Path(__file__).resolve().parent


def builtin_dir(name: str) -> Path:
    """Built-in `layouts`, `fonts` or `color`: inside the wheel, or at the top of a source tree."""
    installed = _PACKAGE / "_builtin" / name
    return installed if installed.is_dir() else _PACKAGE.parent / name
