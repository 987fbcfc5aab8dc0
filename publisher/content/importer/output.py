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
from publisher.content import scaffold, yamlsafe
from publisher.content.importer.interviews import ImportResult
from publisher.content.importer.notices import Notice, count
from publisher.content.load import read_book, read_interview
from publisher.content.model import PLACEHOLDERS, place_forms
from publisher.errors import ContentError, Problem
from publisher.names import CONTENT_DIR, INTERVIEWS_DIR, is_project
from publisher.names import slugify as slug_of

# Which files an import wrote, and the SHA-256 of each as written: --force replaces a file
# only if it is still byte for byte what the importer wrote.
MANIFEST = ".import-manifest.json"
PLACEHOLDER_TITLE = PLACEHOLDERS["title"]
MAX_SLUG = 60  # of a book's slug from its title: a file name, not a transliteration


def slugify(region: str) -> str:
    """A readable ASCII slug from a Chinese region name: 成都市 → chengdu."""
    short = place_forms(region)[-1] if region else ""
    words = lazy_pinyin(short, errors=lambda chars: [c for c in chars if c.isascii()])
    # As the pinyin apostrophe does (Xi'an), separate a syllable that starts with a vowel.
    joined = "".join(("-" if i and w[:1] in "aeo" else "") + w for i, w in enumerate(words))
    return slug_of(joined, "interview")


def book_slug(title: str) -> str:
    """An ASCII slug from a book's title, syllable by syllable: 山乡新景 → shan-xiang-xin-jing;
    Latin words are kept (2023 Annual → 2023-annual)."""
    words = lazy_pinyin(title, errors=lambda chars: "".join(c for c in chars if c.isascii()))
    slug = slug_of("-".join(words), "book")
    if len(slug) > MAX_SLUG:  # cut at a syllable's end
        slug = slug[:MAX_SLUG + 1].rsplit("-", 1)[0] or slug[:MAX_SLUG]
    return slug


def split_title(text: str) -> tuple[str, str]:
    """(title, subtitle): a dash between them (书名——副题) is how book.yaml joins them again."""
    title, dash, subtitle = text.partition("——")
    if dash and title.strip() and subtitle.strip("— "):
        return title.strip(), subtitle.strip("— ")
    return text, ""


def book_data(result: ImportResult, source_name: str,
              sample: dict[str, object] | None = None) -> dict[str, object]:
    """The importer's book.yaml; over the unedited sample of `publisher new`, that sample's
    identifier, date and page, and its title when `new --title` set one."""
    title, subtitle = split_title(result.title or PLACEHOLDER_TITLE)
    data: dict[str, object] = {
        "title": title, "subtitle": subtitle, "language": "zh-CN",
        "editors": [PLACEHOLDERS["editors"]], "publisher": PLACEHOLDERS["publisher"],
        "edition": "第1版",
        "date": dt.date.today().isoformat(), "identifier": f"urn:uuid:{uuid.uuid4()}",
        "slug": book_slug(title) if result.title else "book",
        "source_note": f"据 {source_name} 整理。",
        "questions": result.questions,
    }
    if sample:
        data.update({k: sample[k] for k in ("date", "identifier", "page") if k in sample})
        if sample.get("title") != scaffold.DEFAULT_TITLE:
            data.update({k: sample[k] for k in ("title", "slug") if k in sample})
    return data


def _dump(data: object) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1_000_000)


def render(result: ImportResult, source_name: str,
           book: dict[str, object] | None) -> dict[str, bytes]:
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
        if item.notes:
            data["notes"] = item.notes
        header = f"# Imported from {source_name}, line {item.line}.\n"
        files[f"interviews/{order:02d}-{slug}.yaml"] = (header + _dump(data)).encode("utf-8")
    if book is not None:
        files["book.yaml"] = _dump(book).encode("utf-8")
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


def target_problems(out: Path) -> list[Problem]:
    """Why the output folder is no content folder: a book project's own folder (the build
    would never read book.yaml and interviews/ written there)."""
    if is_project(out):
        return [Problem(str(out), None, "is a book project's folder, not its content folder: "
                                        f"the build reads {out / CONTENT_DIR}. Did you mean "
                                        f"-o {out / CONTENT_DIR}?")]
    return []


def plan(out: Path, files: dict[str, bytes], force: bool) -> tuple[list[Path], list[Problem]]:
    """The earlier imported files to remove, or the problems that forbid writing at all."""
    folder = out / INTERVIEWS_DIR
    shown = str(folder)
    if out.exists() and not out.is_dir():
        return [], [Problem(str(out), None, "exists and is not a folder")]
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        return [], [Problem(shown, None, "exists and is not a folder (or is a symlink)")]
    existing = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    known, samples = _manifest(out), scaffold.sample_interviews()
    remove, blocking = [], []
    for path in existing:
        rel = f"{INTERVIEWS_DIR}/{path.name}"
        data, _ = guard.read_bytes(path, rel, inside=out)
        unedited = data is not None and (_sha(data) == known.get(rel)
                                         or samples.get(path.name) == data)
        if unedited:
            if rel not in files:
                remove.append(path)
            continue
        why = "was edited since it was imported" if rel in known else \
            "was not written by the importer"
        blocking.append(Problem(str(path), None, f"{why}; {_REPLACED}: move it away to import"))
    if existing and not force:
        names = ", ".join(p.name for p in existing[:5]) + (", …" if len(existing) > 5 else "")
        held = f"already holds {count(len(existing), 'interview file')} ({names})"
        if blocking:  # --force would refuse too: say what will do
            return [], [Problem(shown, None, f"{held}: move away the files below to import "
                                             "(--force would not replace them)"), *blocking]
        return [], [Problem(shown, None, f"{held}. To import again, add --force: it replaces "
                                         "files an earlier import wrote and nobody edited, and "
                                         "the unedited sample interview of `publisher new`")]
    return remove, blocking


_REPLACED = ("--force replaces only files an earlier import wrote and nobody edited, and the "
             "unedited sample interview of `publisher new`")


def _book(out: Path, result: ImportResult, source_name: str,
          source: str) -> dict[str, object] | None:
    """The book.yaml to write, if any, with a notice that says what became of it."""
    path = out / "book.yaml"
    sample = None
    if path.exists():
        data, _ = guard.read_bytes(path, "book.yaml", inside=out)
        if data is None or not scaffold.untouched_book(data):
            if result.questions:
                result.notices.append(Notice(str(path), None, (
                    f"kept as it is (it is not the unedited sample of `publisher new`): the "
                    f"{count(len(result.questions), 'standard question')} inferred from "
                    f"{source_name} are not in it. To have them, move it away (to book.old.yaml), "
                    "run this import again with --force, and copy your settings back")))
            return None
        try:  # our own skeleton with its placeholders filled: plain YAML
            loaded = yaml.safe_load(data.decode("utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError):
            loaded = None
        sample = loaded if isinstance(loaded, dict) else {}
        result.notices.append(Notice(str(path), None, "replaced the unedited sample of "
                                                      "`publisher new` (its identifier, date "
                                                      "and page kept)"))
    book = book_data(result, source_name, sample)
    if sample and sample.get("title") != scaffold.DEFAULT_TITLE:
        return book  # `new --title` named the book: that title stays
    if result.title:
        result.notices.append(Notice(source, result.title_line,
                                     f"taken as the book's title in book.yaml: {result.title} "
                                     f"(title {book['title']}, subtitle {book['subtitle'] or '—'}"
                                     f", slug {book['slug']}); check them"))
    else:
        result.notices.append(Notice(source, None, (
            f"no title found (a first line set apart by a blank line, a `#` heading, a Word "
            f"Title or Heading 1 before the first interview): book.yaml says "
            f"{PLACEHOLDER_TITLE}; set its title and slug")))
    return book


def write_content(result: ImportResult, out: Path, source_name: str, source: str = "",
                  force: bool = False) -> list[Path]:
    """Write one YAML file per interview, and book.yaml when there is none (or only the sample
    of `publisher new`); all or nothing."""
    found = target_problems(out)
    if found:
        raise ContentError(found)
    notices = list(result.notices)
    files = render(result, source_name, _book(out, result, source_name, source or source_name))
    problems = validate(files, result, out, source or source_name)
    remove, found = plan(out, files, force)
    if problems or found:
        result.notices = notices  # nothing written: no word on book.yaml
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
