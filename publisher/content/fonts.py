"""Font configuration and the glyph-coverage check run before anything is rendered."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTCollection
from yaml import nodes as yaml_nodes

from publisher import builtin_dir, guard
from publisher.content import yamlsafe
from publisher.content.model import Project
from publisher.errors import ContentError, Problem
from publisher.text.chars import is_han

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
    """Every piece of text the book sets, with the role that sets it and where it comes from
    (each a whole scalar of its file, so that it can be found there)."""
    book = project.book
    for value in (book.title, book.subtitle, book.publisher, *book.editors, book.edition,
                  book.identifier, book.source_note, book.corrections_note):
        yield "body", book.path, None, value
    for question in book.questions:
        yield "heading", book.path, None, question.label
    for item in project.interviews:
        yield "heading", item.path, item.line_of("region"), item.region
        yield "heading", item.path, item.line_of("headline"), item.headline
        yield "body", item.path, item.line_of("interviewee"), item.interviewee.office
        yield "body", item.path, item.line_of("interviewee"), item.interviewee.name
        for pair in item.qa:
            yield "heading", item.path, pair.line, pair.question
            for paragraph in pair.answer:
                yield "body", item.path, pair.line, paragraph
        for note in item.notes:
            yield "body", item.path, item.line_of("notes"), note


# A face that lacks at least half of the distinct characters its role sets, and at least
# this many, is the wrong font rather than a font with gaps: one message says so instead
# of one per character (a Latin font for Chinese text would give hundreds).
WRONG_FONT_MINIMUM = 20


def _drawn(ch: str) -> bool:
    # Default-ignorable format characters (U+200B, U+2060) and line breaks are never drawn.
    return unicodedata.category(ch) not in ("Cf", "Cc") and ch not in " \n"


def coverage(project: Project, faces: list[Face] | None = None) -> list[Problem]:
    """A problem for each character a face lacks, which would fall back or show as a box:
    at the character's first place in the YAML files, with how many more there are; or one
    problem for a face that lacks most of the text (at its entry in fonts.yaml)."""
    faces = faces if faces is not None else resolve(project)
    by_role = {face.role: face for face in faces}
    used: dict[str, set[str]] = {role: set() for role in by_role}
    count: Counter[tuple[str, str]] = Counter()
    places: dict[tuple[str, str], list[tuple[str, int | None, str]]] = {}
    for role, path, line, text in texts(project):
        face = by_role[role]
        covered = charset(face.path, face.index)
        for ch in set(text):
            if not _drawn(ch):
                continue
            used[role].add(ch)
            if ord(ch) in covered:
                continue
            count[role, ch] += text.count(ch)
            where = places.setdefault((role, ch), [])
            if not where or where[0][0] == path:  # the first file only: it holds the first
                where.append((path, line, text))
    problems: list[Problem] = []
    finder = _Finder(project)
    for role, face in by_role.items():
        lacking = sorted([ch for r, ch in count if r == role], key=lambda c: -count[role, c])
        if len(lacking) >= WRONG_FONT_MINIMUM and 2 * len(lacking) >= len(used[role]):
            problems.append(_wrong_font(project, face, lacking, len(used[role])))
            continue
        for ch in lacking:
            path, line, column = finder.first(ch, places[role, ch])
            more = count[role, ch] - 1
            problems.append(Problem(
                path, line,
                f"character {ch!r} (U+{ord(ch):04X}) is not in {face.family} ({role} font); "
                "it would be drawn from another font or as a box"
                + (f" ({more} more in the book)" if more else ""), column))
    return problems


def _wrong_font(project: Project, face: Face, lacking: list[str], used: int) -> Problem:
    sample = "".join(lacking[:8]) + ("…" if len(lacking) > 8 else "")
    has = (f"has none of the {used}" if len(lacking) == used
           else f"lacks {len(lacking)} of the {used}")
    han = sum(is_han(ch) for ch in lacking) * 2 >= len(lacking)
    verdict = "it is not a Chinese font" if han else "it does not cover this text"
    display, line = _config_line(project, face.role)
    return Problem(display, line,
                   f"{face.role}: {face.family} {has} distinct characters the {face.role} font "
                   f"sets, e.g. {sample}: {verdict}; choose another family")


def _config_line(project: Project, role: str) -> tuple[str, int | None]:
    """fonts.yaml and the line of a role's entry in it."""
    path, display = _config_file(project)
    doc, _ = yamlsafe.read(path, display, project.root if display == "fonts/fonts.yaml" else None)
    entry = _entry(doc.root, role) if doc is not None else None
    return display, entry[2] if entry else None


class _Finder:
    """Finds a character's first place in the project's YAML files (parsed on demand)."""

    def __init__(self, project: Project) -> None:
        self.root = project.root
        self.files: dict[str, tuple[str, list[yaml_nodes.ScalarNode]] | None] = {}

    def _scalars(self, path: str) -> tuple[str, list[yaml_nodes.ScalarNode]] | None:
        if path not in self.files:
            self.files[path] = None
            text, _ = guard.read_text(self.root / path, path, inside=self.root)
            doc, _ = yamlsafe.parse(text.encode("utf-8"), path) if text is not None else (None, [])
            if doc is not None:
                self.files[path] = (text, list(_values(doc.root)))
        return self.files[path]

    def first(self, ch: str, where: list[tuple[str, int | None, str]]) -> tuple[str, int | None,
                                                                               int | None]:
        """The earliest (path, line, column) of `ch` in the given texts of one file."""
        path, line, _ = where[0]
        parsed = self._scalars(path)
        if parsed is None:
            return path, line, None
        text, scalars = parsed
        wanted = {t for _, _, t in where}
        # The scalars that are these texts; else (a value the loader splits, such as an
        # interviewee written as one line) those that contain the character.
        chosen = [n for n in scalars if n.value in wanted] or [
            n for n in scalars if isinstance(n.value, str) and ch in n.value]
        best: int | None = None
        for node in chosen:
            # Found in the scalar's source, unless written as an escape there.
            index = text.find(ch, node.start_mark.index, node.end_mark.index)
            index = node.start_mark.index if index < 0 else index
            best = index if best is None else min(best, index)
        if best is None:
            return path, line, None
        return path, text.count("\n", 0, best) + 1, best - (text.rfind("\n", 0, best) + 1) + 1


def _values(node: object) -> Iterator[yaml_nodes.ScalarNode]:
    """The value scalars of a node tree in document order (keys left out)."""
    if isinstance(node, yaml_nodes.ScalarNode):
        yield node
    elif isinstance(node, yaml_nodes.MappingNode):
        for _, value in node.value:
            yield from _values(value)
    elif isinstance(node, yaml_nodes.SequenceNode):
        for item in node.value:
            yield from _values(item)


def check(project: Project) -> list[Face]:
    """Resolve the fonts and check coverage; raise ContentError listing every gap."""
    faces = resolve(project)
    problems = coverage(project, faces)
    if problems:
        raise ContentError(problems)
    return faces


# CSS families that name no font: fontconfig maps them by design.
_GENERIC = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "math",
            "emoji", "fangsong", "ui-serif", "ui-sans-serif", "ui-monospace", "ui-rounded",
            "inherit", "initial", "unset", "revert", "revert-layer"}
_FONT_FAMILY = re.compile(r"font-family\s*:\s*([^;{}]+)", re.IGNORECASE)
_FONT_FACE = re.compile(r"@font-face\s*{[^}]*}", re.IGNORECASE)


@lru_cache(maxsize=1)
def _installed_families() -> frozenset[str]:
    """Every family fontconfig knows, in lower case (a family may have several names)."""
    if shutil.which("fc-list") is None:
        return frozenset()
    out = subprocess.run(["fc-list", "--format", "%{family}\n"], capture_output=True,
                         text=True, check=False).stdout
    return frozenset(name.strip().lower() for line in out.splitlines()
                     for name in line.split(","))


def css_families(project: Project, faces: list[Face]) -> list[Problem]:
    """A family named in a project's own CSS that no installed font or @font-face provides:
    WeasyPrint would fall back to another font without a word."""
    if not project.layouts_dir or not project.layouts_dir.is_dir():
        return []
    configured = {face.family.lower() for face in faces}
    found = []
    for path in sorted(project.layouts_dir.rglob("*.css")):
        text, _ = guard.read_text(path, str(path))
        if not text:
            continue
        declared = {m.strip().strip("'\"").lower() for block in _FONT_FACE.findall(text)
                    for m in _FONT_FAMILY.findall(block)}
        for match in _FONT_FAMILY.finditer(text):
            names = [name.strip().strip("'\"").strip() for name in match.group(1).split(",")]
            names = [name for name in names if name and name.lower() not in _GENERIC
                     and "var(" not in name and "{" not in name and "}" not in name]
            # A list with one available family falls back on purpose; none available, the
            # text silently takes whatever fontconfig offers for the generic family.
            if not names or any(n.lower() in configured or n.lower() in declared
                                or n.lower() in _installed_families() for n in names):
                continue
            where = path.relative_to(project.root) if path.is_relative_to(project.root) \
                else path
            line = text.count("\n", 0, match.start()) + 1
            found.append(Problem(str(where), line, f"font family {names[0]!r} is not "
                                 "installed: the text would be set in another font; install "
                                 "it, add an @font-face, or name the book's fonts in "
                                 "fonts/fonts.yaml"))
    return found
