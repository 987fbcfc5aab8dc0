"""`publisher new`: a fresh book project from the skeleton shipped inside the package."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Template

from publisher.errors import EXIT_USAGE, PublisherError
from publisher.guard import write_all_atomic
from publisher.names import slugify

# Files whose ${placeholders} are filled in; the others are copied byte for byte.
TEMPLATED = {"content/book.yaml", "README.md"}
# Names a wheel or a VCS could drop are stored without their leading dot.
RENAMED = {"gitignore": ".gitignore"}
DEFAULT_TITLE = "我的访谈录"
BOOK = "content/book.yaml"


class ProjectExists(PublisherError):
    """Raised by `publisher new` rather than overwrite a folder that already has files."""

    exit_code = EXIT_USAGE


def skeleton() -> Traversable:
    """The sample project inside the installed package."""
    return resources.files("publisher") / "skeleton"


def _walk(node: Traversable, prefix: str = "") -> list[tuple[str, Traversable]]:
    found = []
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        if child.name == "__pycache__":
            continue
        rel = f"{prefix}{child.name}"
        found += _walk(child, rel + "/") if child.is_dir() else [(rel, child)]
    return found


def untouched_book(data: bytes) -> bool:
    """Whether a book.yaml is the one `publisher new` wrote, unedited: the skeleton's text
    with only its placeholders filled (a title, a slug, a date, a uuid, each on its line)."""
    template = (skeleton() / BOOK).read_text(encoding="utf-8")
    parts = re.split(r"\$\{\w+\}", template)
    pattern = r"[^\n]*".join(re.escape(part) for part in parts)
    try:
        return re.fullmatch(pattern, data.decode("utf-8")) is not None
    except UnicodeDecodeError:
        return False


def sample_interviews() -> dict[str, bytes]:
    """The sample interviews `publisher new` writes, by file name, as written."""
    folder = skeleton() / "content" / "interviews"
    return {child.name: child.read_bytes() for child in folder.iterdir()
            if child.name.endswith(".yaml")}


def create(target: Path, title: str = DEFAULT_TITLE, date: dt.date | None = None) -> list[Path]:
    """Write the sample project into target (new or empty) and return the files written."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ProjectExists(f"{target}: already exists and is not empty; choose a new folder")
    values = {
        "title": title,
        "slug": slugify(target.resolve().name, "book"),
        # The book's date is set once, here; builds read it from book.yaml, never the clock.
        "date": (date or dt.date.today()).isoformat(),
        "uuid": str(uuid.uuid4()),
    }
    files: dict[Path, bytes] = {}
    for rel, source in _walk(skeleton()):
        parts = rel.split("/")
        parts[-1] = RENAMED.get(parts[-1], parts[-1])
        data = source.read_bytes()
        if rel in TEMPLATED:
            data = Template(data.decode("utf-8")).substitute(values).encode("utf-8")
        files[target.joinpath(*parts)] = data
    # All or nothing: an interrupted `new` leaves no half-made project to trip over.
    write_all_atomic(files)
    return list(files)
