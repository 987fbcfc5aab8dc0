"""Font configuration and the glyph-coverage check run before anything is rendered."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTCollection

from publisher import builtin_dir
from publisher.content import yamlsafe
from publisher.content.model import Project
from publisher.errors import ContentError, Problem

ROLES = ("body", "heading")
FAMILY = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _-]{0,62}")


@dataclass(frozen=True)
class Face:
    """One configured font: its role in the layout and the file that provides it."""

    role: str
    family: str
    path: Path
    index: int


def _config_file(project: Project) -> tuple[Path, str]:
    # lexists, not is_file: a fonts.yaml that is a FIFO, a directory or a dangling link is
    # the user's file gone wrong, reported by the guarded reader, not silently skipped.
    if project.fonts_dir and os.path.lexists(project.fonts_dir / "fonts.yaml"):
        return project.fonts_dir / "fonts.yaml", "fonts/fonts.yaml"
    return builtin_dir("fonts") / "fonts.yaml", "(built-in) fonts/fonts.yaml"


# The faces of the last project resolved: a build asks for them in several stages (the
# check, the EPUB's subsets), and each fontconfig lookup is a process.
_last: tuple[Project, list[Face]] | None = None


def resolve(project: Project) -> list[Face]:
    """Read fonts.yaml and find each face's file; raise ContentError if one is missing.

    Resolved once per loaded project: asked again for the same project, the same faces.
    """
    global _last
    if _last is not None and _last[0] is project:
        return list(_last[1])
    faces = _resolve(project)
    _last = (project, faces)
    return list(faces)


def _resolve(project: Project) -> list[Face]:
    path, display = _config_file(project)
    user = display == "fonts/fonts.yaml"
    doc, problems = yamlsafe.read(path, display, project.root if user else None)
    faces: list[Face] = []
    if doc is not None:
        for role in ROLES:
            entry = _entry(doc.root, role)
            line = entry[2] if entry else None
            if entry is None or not entry[0]:
                problems.append(Problem(display, line, f"{role}: a font family is required"))
                continue
            family, file, line = entry
            if not FAMILY.fullmatch(family):
                problems.append(Problem(display, line, f"{role}: {family!r} is not a font family "
                                                       "name (letters, digits, spaces, - and _)"))
                continue
            try:
                faces.append(_locate(role, family, file, path.parent, project.root))
            except LookupError as exc:
                problems.append(Problem(display, line, str(exc)))
    if problems:
        raise ContentError(problems)
    return faces


def _entry(root: object, role: str) -> tuple[str, str | None, int] | None:
    import yaml

    if not isinstance(root, yaml.MappingNode):
        return None
    for key, value in root.value:
        if key.value == role and isinstance(value, yaml.MappingNode):
            fields = {k.value: v.value for k, v in value.value if isinstance(v, yaml.ScalarNode)}
            return fields.get("family", ""), fields.get("file"), key.start_mark.line + 1
    return None


def _locate(role: str, family: str, file: str | None, base: Path, root: Path) -> Face:
    if file:
        target = (base / file).resolve()
        if not target.is_relative_to(root.resolve()) and not target.is_relative_to(base.resolve()):
            raise LookupError(f"{role}: font file {file!r} is outside the project")
        if not target.is_file():
            raise LookupError(f"{role}: font file {file!r} not found")
        try:
            return Face(role, family, target, _face_index(target, family))
        except LookupError:
            raise
        except Exception as exc:  # fontTools raises many kinds on a damaged collection
            raise LookupError(f"{role}: font file {file!r} cannot be read: {exc}") from None
    if shutil.which("fc-match") is None:
        raise LookupError("fontconfig's fc-match is missing: install fontconfig")
    out = subprocess.run(
        ["fc-match", "-f", "%{file}\n%{index}\n%{family}", f"{family}:lang=zh-cn"],
        capture_output=True, text=True, check=False,
    ).stdout.split("\n")
    if len(out) < 3 or family not in out[2].split(","):
        raise LookupError(f"{role}: font family {family!r} is not installed "
                          f"(fontconfig offers {out[2] if len(out) > 2 else 'nothing'!r})")
    return Face(role, family, Path(out[0]), int(out[1] or 0))


def _face_index(path: Path, family: str) -> int:
    if path.suffix.lower() not in (".ttc", ".otc"):
        return 0
    for index, font in enumerate(TTCollection(str(path), lazy=True).fonts):
        if font["name"].getDebugName(1) == family:
            return index
    raise LookupError(f"font collection {path.name} has no face named {family!r}")


@lru_cache(maxsize=16)
def charset(path: Path, index: int) -> frozenset[int]:
    """The code points a face maps to glyphs (HarfBuzz reads a CJK cmap 25× faster)."""
    import uharfbuzz as hb

    try:
        return frozenset(hb.Face(hb.Blob.from_file_path(str(path)), index).unicodes)
    except Exception as exc:  # an unreadable or broken font file
        raise ContentError([Problem(str(path), None, f"cannot read the font: {exc}")]) from exc


def texts(project: Project) -> Iterator[tuple[str, str, int | None, str]]:
    """Every piece of text the book sets, with the role that sets it and where it comes from."""
    book = project.book
    for value in (book.title, book.subtitle, book.publisher, *book.editors, book.edition,
                  book.identifier, book.source_note, book.corrections_note):
        yield "body", book.path, None, value
    for question in book.questions:
        yield "heading", book.path, None, question.label
    for item in project.interviews:
        yield "heading", item.path, None, item.region + item.headline
        yield "body", item.path, None, item.interviewee.office + item.interviewee.name
        for pair in item.qa:
            yield "heading", item.path, pair.line, pair.question
            for paragraph in pair.answer:
                yield "body", item.path, pair.line, paragraph
        for note in item.notes:
            yield "body", item.path, None, note


def coverage(project: Project, faces: list[Face] | None = None) -> list[Problem]:
    """A problem for each character a face lacks, which would fall back or show as a box."""
    faces = faces if faces is not None else resolve(project)
    by_role = {face.role: face for face in faces}
    problems: dict[tuple[str, str, str], Problem] = {}
    for role, path, line, text in texts(project):
        face = by_role[role]
        covered = charset(face.path, face.index)
        for ch in set(text):
            # Default-ignorable format characters (U+200B, U+2060) are never drawn.
            if ord(ch) in covered or unicodedata.category(ch) in ("Cf", "Cc") or ch in " \n":
                continue
            key = (path, ch, role)
            if key not in problems:
                problems[key] = Problem(
                    path, line, f"character {ch!r} (U+{ord(ch):04X}) is not in {face.family} "
                                f"({role} font); it would be drawn from another font or as a box")
    return list(problems.values())


def check(project: Project) -> list[Face]:
    """Resolve the fonts and check coverage; raise ContentError listing every gap."""
    faces = resolve(project)
    problems = coverage(project, faces)
    if problems:
        raise ContentError(problems)
    return faces
