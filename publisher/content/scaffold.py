"""`publisher new`: a fresh book project from the skeleton shipped inside the package."""

from __future__ import annotations

import datetime as dt
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


def create(target: Path, title: str = "我的访谈录", date: dt.date | None = None) -> list[Path]:
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
