"""Build caching: a digest of every build input, a no-op rebuild stamp and a keyed byte cache."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from publisher import __version__, builtin_dir, guard
from publisher.names import FONTS_DIR, INPUT_DIRS, LAYOUTS_DIR, STAMP_NAME

# Bump when the stamp's or the byte cache's layout changes: old entries then never match.
FORMAT = 1
MAX_INPUT = 500_000_000  # bytes of one input file hashed: a CJK font collection is ~100 MB
_PACKAGE = Path(__file__).resolve().parent
# Every library whose version can change an output's bytes (the PDF, its font subsets and
# merge, the EPUB and its cover, the cover sheet, the report's lint line): the rebuild stamp,
# every cache key and the report's versions all read this one list.
OUTPUT_LIBRARIES = ("weasyprint", "pydyf", "ebooklib", "fonttools", "jinja2", "markupsafe",
                    "lxml", "pyyaml", "pikepdf", "uharfbuzz", "pypdfium2", "pillow",
                    "python-barcode", "wordfreq")


def _hash_tree(digest: Any, label: str, folder: Path, exclude: tuple[Path, ...],
               inside: Path | None = None) -> None:
    """Feed every file under `folder` (name and bytes, in a fixed order) into `digest`."""
    if not folder.is_dir():
        digest.update(f"{label}: absent\n".encode())
        return
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if any(path.is_relative_to(e) for e in exclude) or "__pycache__" in path.parts:
            continue
        rel = path.relative_to(folder).as_posix()
        # Through the guarded reader: a link out of the project is not read even to hash it.
        data, problems = guard.read_bytes(path, rel, inside=inside or folder, limit=MAX_INPUT)
        if data is None:  # unreadable or refused: the build will say so; never call it fresh
            data = f"unreadable {problems[0]} {os.urandom(8).hex()}".encode()
        digest.update(f"{label}/{rel}\0{len(data)}\0".encode())
        digest.update(data)


def library_versions() -> dict[str, str]:
    """The installed version of each of OUTPUT_LIBRARIES ("absent" when not installed)."""
    return dict(_versions())


@lru_cache(maxsize=1)
def _versions() -> tuple[tuple[str, str], ...]:
    # Read once per process: every cache lookup needs them, and metadata reads cost ~1 ms each.
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in OUTPUT_LIBRARIES:
        try:
            found.append((name, version(name)))
        except PackageNotFoundError:
            found.append((name, "absent"))
    return tuple(found)


def _library_versions() -> str:
    return ",".join(f"{name}={number}" for name, number in _versions())


def tool_digest() -> str:
    """The publisher's version, its own source files, its libraries' versions and Python's."""
    digest = hashlib.sha256(f"publisher {__version__} format {FORMAT}\n".encode())
    # The source itself, not only __version__: an editable install changes without a bump.
    _hash_tree(digest, "package", _PACKAGE, ())
    digest.update(f"{_library_versions()} python {sys.version}\n".encode())
    return digest.hexdigest()


def inputs_digest(project_root: Path, options: Mapping[str, Any] | None = None,
                  exclude: Iterable[Path] = ()) -> str:
    """A SHA-256 over everything a build reads: equal digests mean identical outputs.

    Covers the project's content/, layouts/ and fonts/, the built-in layouts and fonts, the
    tool (see `tool_digest`) and `options` (formats, edition, SOURCE_DATE_EPOCH…), which must
    be JSON-serialisable. Installed system fonts named by family are not covered: after a
    system font update, rebuild with the cache bypassed.
    """
    root = Path(project_root).resolve()
    skip = tuple(Path(e).resolve() for e in exclude)
    digest = hashlib.sha256(f"inputs format {FORMAT}\n".encode())
    for name in INPUT_DIRS:
        _hash_tree(digest, f"project/{name}", root / name, skip, root)
    for name in (LAYOUTS_DIR, FONTS_DIR):
        folder = builtin_dir(name).resolve()
        if folder != (root / name).resolve():  # the repository is its own first book
            _hash_tree(digest, f"builtin/{name}", folder, skip)
    digest.update(tool_digest().encode())
    digest.update(json.dumps(dict(options or {}), sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _file_sha(path: Path, folder: Path) -> str | None:
    """SHA-256 of a regular file inside `folder`, or None (missing, a FIFO, a link out…)."""
    data, _ = guard.read_bytes(path, path.name, inside=folder, limit=MAX_INPUT)
    return None if data is None else hashlib.sha256(data).hexdigest()


def fresh_summary(output_dir: Path, digest: str) -> dict[str, Any] | None:
    """The summary stored by the last build if its inputs equal `digest` and every output it
    wrote is still there unchanged; otherwise None, and the caller must build."""
    stamp = Path(output_dir) / STAMP_NAME
    data, _ = guard.read_bytes(stamp, STAMP_NAME, inside=output_dir)  # a FIFO would block
    try:
        saved = json.loads(data.decode("utf-8")) if data is not None else None
    except (ValueError, RecursionError):
        return None
    if not isinstance(saved, dict) or saved.get("format") != FORMAT or saved.get(
            "digest") != digest:
        return None
    outputs = saved.get("outputs")
    if not isinstance(outputs, dict) or not outputs:
        return None
    for name, sha in outputs.items():
        # A deleted or hand-edited output is rebuilt even though the inputs did not change.
        if not isinstance(name, str) or _file_sha(Path(output_dir) / name, output_dir) != sha:
            return None
    summary = saved.get("summary")
    return summary if isinstance(summary, dict) else {}


def write_stamp(output_dir: Path, digest: str, outputs: Iterable[Path],
                summary: Mapping[str, Any] | None = None) -> None:
    """Record a successful build: call it last, after every output is written."""
    output_dir = Path(output_dir)
    files = {}
    for path in outputs:
        path = Path(path)
        sha = _file_sha(path, output_dir)
        if sha is None:
            return  # an output is missing: better no stamp than a stamp that lies
        files[path.resolve().relative_to(output_dir.resolve()).as_posix()] = sha
    data = {"format": FORMAT, "digest": digest, "outputs": files,
            "summary": dict(summary or {})}
    stamp = output_dir / STAMP_NAME
    guard.write_atomic(stamp, json.dumps(data, sort_keys=True, default=str,
                                         indent=1).encode("utf-8"))


def forget(output_dir: Path) -> None:
    """Drop the stamp, so the next build runs in full (call before writing any output)."""
    with contextlib.suppress(FileNotFoundError):
        (Path(output_dir) / STAMP_NAME).unlink()


def cache_dir() -> Path:
    """Where cached bytes live: $PUBLISHER_CACHE, else $XDG_CACHE_HOME/publisher."""
    if os.environ.get("PUBLISHER_CACHE"):
        return Path(os.environ["PUBLISHER_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "publisher"


def file_key(path: Path) -> str:
    """A cheap identity for a large input (a font): its path, size and modification time."""
    info = Path(path).stat()
    return f"{Path(path).resolve()}:{info.st_size}:{info.st_mtime_ns}"


def _entry(kind: str, key: str | bytes, directory: Path | None) -> Path:
    raw = key if isinstance(key, bytes) else key.encode()
    # The libraries' versions too: a font subset made by an older HarfBuzz is not reused.
    salt = f"{kind}|{__version__}|{FORMAT}|{_library_versions()}|"
    name = hashlib.sha256(salt.encode() + raw).hexdigest()
    return (directory or cache_dir()) / kind / name


def load_bytes(kind: str, key: str | bytes, directory: Path | None = None) -> bytes | None:
    """What `store_bytes` stored under (kind, key), or None."""
    path = _entry(kind, key, directory)
    try:
        data = path.read_bytes()
    except OSError:
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: `prune` keeps it
    return data


def prune(kind: str, max_bytes: int, directory: Path | None = None) -> int:
    """Delete the least recently used entries of `kind` beyond `max_bytes`; bytes freed."""
    folder = (directory or cache_dir()) / kind
    try:
        entries = [(p.stat(), p) for p in folder.iterdir() if not p.name.startswith(".")]
    except OSError:
        return 0
    entries.sort(key=lambda e: e[0].st_mtime_ns, reverse=True)
    kept = freed = 0
    for info, path in entries:
        kept += info.st_size
        if kept > max_bytes:
            with contextlib.suppress(OSError):
                path.unlink()
                freed += info.st_size
    return freed


def store_bytes(kind: str, key: str | bytes, data: bytes, directory: Path | None = None) -> None:
    """Keep `data` under (kind, key); a cache that cannot be written is skipped silently."""
    path = _entry(kind, key, directory)
    with contextlib.suppress(OSError):  # atomic: a parallel build never reads half a file
        guard.write_atomic(path, data, sync=False)


def cached_bytes(kind: str, key: str | bytes, compute: Callable[[], bytes],
                 directory: Path | None = None) -> bytes:
    """`compute()`'s result, stored under a hash of (kind, key, tool version) and reused.

    For results that cost seconds and depend only on the key, such as a subset font:
    `cached_bytes("subset", f"{file_key(path)}|{index}|{sorted(unicodes)}", make)`.
    A cache that cannot be read or written is skipped, never an error.
    """
    if (found := load_bytes(kind, key, directory)) is not None:
        return found
    data = compute()
    store_bytes(kind, key, data, directory)
    return data
