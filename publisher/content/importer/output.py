"""Write the imported content: checked by the loader first, all files at once, edits kept."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections import Counter
from pathlib import Path

import yaml
from pypinyin import lazy_pinyin

from publisher import guard
from publisher.content import yamlsafe
from publisher.content.importer.interviews import ImportResult
from publisher.content.load import read_book, read_interview
from publisher.content.model import place_forms
from publisher.errors import ContentError, Problem
from publisher.names import INTERVIEWS_DIR
from publisher.names import slugify as slug_of

# Which files an import wrote, and the SHA-256 of each as written: --force replaces a file
# only if it is still byte for byte what the importer wrote.
MANIFEST = ".import-manifest.json"


def slugify(region: str) -> str:
    """A readable ASCII slug from a Chinese region name: 成都市 → chengdu."""
    short = place_forms(region)[-1] if region else ""
    words = lazy_pinyin(short, errors=lambda chars: [c for c in chars if c.isascii()])
    # As the pinyin apostrophe does (Xi'an), separate a syllable that starts with a vowel.
    joined = "".join(("-" if i and w[:1] in "aeo" else "") + w for i, w in enumerate(words))
    return slug_of(joined, "interview")


def _dump(data: object) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1_000_000)


def render(result: ImportResult, source_name: str, with_book: bool) -> dict[str, bytes]:
    """The files to write, by path relative to the content folder."""
    files: dict[str, bytes] = {}
    slugs: Counter[str] = Counter()
    for order, item in enumerate(result.interviews, 1):
        slug = slugify(item.region)
        slugs[slug] += 1
        if slugs[slug] > 1:
            slug = f"{slug}-{slugs[slug]}"
        data = {
            "order": order, "slug": slug, "region": item.region, "headline": item.headline,
            "interviewee": {"name": item.name, "office": item.office},
            "qa": [{"question": p.question, "answer": p.answer} for p in item.pairs],
        }
        header = f"# Imported from {source_name}, line {item.line}.\n"
        files[f"interviews/{order:02d}-{slug}.yaml"] = (header + _dump(data)).encode("utf-8")
    if with_book:
        files["book.yaml"] = _dump({
            "title": "未命名访谈集", "subtitle": "", "language": "zh-CN",
            "editors": ["编者"], "publisher": "出版者", "edition": "第1版",
            "date": dt.date.today().isoformat(), "identifier": f"urn:uuid:{uuid.uuid4()}",
            "slug": "book", "source_note": f"据 {source_name} 整理。",
            "questions": result.questions,
        }).encode("utf-8")
    return files


def validate(files: dict[str, bytes], result: ImportResult, out: Path,
             source: str) -> list[Problem]:
    """Every file read back by the loader's own functions; a refusal names the source line."""
    problems = []
    lines = {f"interviews/{n:02d}-": i.line for n, i in enumerate(result.interviews, 1)}
    for rel, data in files.items():
        doc, found = yamlsafe.parse(data, rel)
        if doc is not None:
            _, found = read_book(doc) if rel == "book.yaml" else read_interview(doc, out.parent)
        line = next((n for prefix, n in lines.items() if rel.startswith(prefix)), None)
        problems += [Problem(source, line, f"the interview imported from here would be refused "
                                           f"by the loader ({p})") for p in found]
    return problems


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _manifest(out: Path) -> dict[str, str]:
    text, _ = guard.read_text(out / MANIFEST, MANIFEST, inside=out)
    try:
        files = json.loads(text)["files"] if text else {}
    except (ValueError, KeyError, TypeError):
        return {}  # unreadable: no file counts as the importer's, so none is replaced
    return {k: v for k, v in files.items() if isinstance(k, str) and isinstance(v, str)} \
        if isinstance(files, dict) else {}


def plan(out: Path, files: dict[str, bytes], force: bool) -> tuple[list[Path], list[Problem]]:
    """The earlier imported files to remove, or the problems that forbid writing at all."""
    folder = out / INTERVIEWS_DIR
    shown = str(folder)
    if out.exists() and not out.is_dir():
        return [], [Problem(str(out), None, "exists and is not a folder")]
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        return [], [Problem(shown, None, "exists and is not a folder (or is a symlink)")]
    existing = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    if existing and not force:
        names = ", ".join(p.name for p in existing[:5]) + (", …" if len(existing) > 5 else "")
        return [], [Problem(shown, None, f"already holds {len(existing)} interview files "
                                         f"({names}). To import again, add --force: it replaces "
                                         "only files an earlier import wrote and nobody edited")]
    known = _manifest(out)
    remove, problems = [], []
    for path in existing:
        rel = f"interviews/{path.name}"
        data, _ = guard.read_bytes(path, rel, inside=out)
        if rel not in known:
            why = "was not written by the importer"
        elif data is None or _sha(data) != known[rel]:
            why = "was edited since it was imported"
        else:
            if rel not in files:
                remove.append(path)
            continue
        problems.append(Problem(str(path), None, f"{why}; --force replaces only unedited "
                                                 "imported files: move it away to import again"))
    return remove, problems


def write_content(result: ImportResult, out: Path, source_name: str, source: str = "",
                  force: bool = False) -> list[Path]:
    """Write one YAML file per interview, and book.yaml when there is none; all or nothing."""
    files = render(result, source_name, with_book=not (out / "book.yaml").exists())
    problems = validate(files, result, out, source or source_name)
    remove, found = plan(out, files, force)
    if problems or found:
        raise ContentError(problems + found)
    manifest = {"source": source_name, "files": {rel: _sha(data) for rel, data in files.items()}}
    targets = {out / rel: data for rel, data in files.items()}
    targets[out / MANIFEST] = (json.dumps(manifest, indent=1) + "\n").encode("utf-8")
    try:
        guard.write_all_atomic(targets)
    except OSError as exc:  # a read-only or full disk: the user's to fix, nothing was replaced
        raise ContentError([Problem(str(out), None, f"cannot write: {exc.strerror or exc}")]) \
            from None
    for path in remove:
        path.unlink(missing_ok=True)
    return sorted(out / rel for rel in files)
