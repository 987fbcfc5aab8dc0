"""The guarded ways to read an input file (regular, inside, bounded) and to write atomically."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from publisher.errors import Problem

MAX_BYTES = 2_000_000  # a whole book's text is ~50 kB; anything near this is a mistake
_KINDS = {stat.S_IFDIR: "a directory", stat.S_IFIFO: "a named pipe (FIFO)",
          stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
          stat.S_IFSOCK: "a socket"}


def read_bytes(path: Path, display: str, *, inside: Path | None = None,
               limit: int = MAX_BYTES) -> tuple[bytes | None, list[Problem]]:
    """The bytes of a regular file of at most `limit` bytes, or the problem with it.

    Symlinks are followed first: with `inside`, the real file must lie under that folder.
    Directories, FIFOs and devices are refused before anything is opened, so nothing blocks
    (a FIFO) or streams forever (/dev/zero).
    """
    def refuse(message: str) -> tuple[None, list[Problem]]:
        return None, [Problem(display, None, message)]

    try:
        real = Path(path).resolve(strict=True)
    except FileNotFoundError:
        return refuse("not found (or a symlink to nothing)")
    except (OSError, RuntimeError) as exc:  # a symlink loop raises RuntimeError before 3.13
        return refuse(f"cannot be resolved: {getattr(exc, 'strerror', None) or exc}")
    if inside is not None and not real.is_relative_to(Path(inside).resolve()):
        return refuse(f"resolves to {real}, outside the project; symlinks out of the project "
                      "are not followed")
    try:
        info = real.stat()
    except OSError as exc:
        return refuse(f"cannot be read: {exc.strerror or exc}")
    if not stat.S_ISREG(info.st_mode):
        return refuse(f"is {_KINDS.get(stat.S_IFMT(info.st_mode), 'not a regular file')}, "
                      "not a regular file")
    if info.st_size > limit:
        return refuse(f"file is {info.st_size:,} bytes; the limit is {limit:,}")
    try:
        # O_NONBLOCK: should the file be swapped for a FIFO after the check, open() still
        # returns at once rather than waiting for a writer.
        fd = os.open(real, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        return refuse(f"cannot be read: {exc.strerror or exc}")
    if len(data) > limit:
        return refuse(f"file is larger than {limit:,} bytes")
    return data, []


def decode(data: bytes, display: str) -> tuple[str | None, list[Problem]]:
    """UTF-8 text (a leading BOM dropped), or one problem saying what the bytes look like and
    how to convert them: UTF-16, GBK/GB 18030, Big5, or binary."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "UTF-16LE" if data.startswith(b"\xff\xfe") else "UTF-16BE"
        return None, [Problem(display, 1, f"the file is {encoding}, not UTF-8; convert it, "
                                          "e.g. iconv -f UTF-16 -t UTF-8 FILE > FILE.utf8")]
    if _binary(data):
        return None, [Problem(display, 1, "this looks like a binary file (a .docx, .pdf or "
                                          "image?), not text")]
    try:
        return data.decode("utf-8").removeprefix("\ufeff"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        hint = _guess(data)
        return None, [Problem(display, line, f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); "
                                             f"{hint}", column)]


def _binary(data: bytes) -> bool:
    """NUL bytes never occur in UTF-8 text, and are frequent in binary formats."""
    sample = data[:65536]
    return sample.count(0) > max(1, len(sample) // 100)


def _guess(data: bytes) -> str:
    """What non-UTF-8 bytes probably are, and the command that converts them."""
    sample = data[:65536]
    for encoding, name in (("gb18030", "GBK"), ("big5", "BIG5")):
        try:
            sample.decode(encoding)
        except UnicodeDecodeError as exc:
            if exc.start < len(sample) - 4:  # a cut multi-byte character at the end is fine
                continue
        return (f"it looks like {name}: convert it with "
                f"iconv -f {name} -t UTF-8 FILE > FILE.utf8, or save it as UTF-8")
    return "save the file as UTF-8"


def read_text(path: Path, display: str, *, inside: Path | None = None,
              limit: int = MAX_BYTES) -> tuple[str | None, list[Problem]]:
    """`read_bytes`, then `decode`: a regular file's UTF-8 text, or the problems with it."""
    data, problems = read_bytes(path, display, inside=inside, limit=limit)
    if data is None:
        return None, problems
    return decode(data, display)


def write_atomic(target: Path, data: bytes, *, sync: bool = True) -> None:
    """Write to a temporary file beside the target, then rename it into place."""
    write_all_atomic({target: data}, sync=sync)


def write_all_atomic(files: dict[Path, bytes], *, sync: bool = True) -> None:
    """Write every file to a temporary sibling first, then rename them all into place.

    Renames happen only after every temporary file is complete, so a failure while
    writing leaves every previous file as it was. Without `sync` (a cache entry, cheap to
    lose), the data is not forced to disk before the rename.
    """
    staged: list[tuple[str, Path]] = []
    try:
        for target, data in files.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                       dir=target.parent)
            staged.append((tmp, target))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                if sync:
                    handle.flush()
                    os.fsync(handle.fileno())
            os.chmod(tmp, 0o644)
        for tmp, target in staged:
            os.replace(tmp, target)
    finally:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
