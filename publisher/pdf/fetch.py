"""WeasyPrint's URL fetcher for the book: no network, nothing outside the project."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit
from urllib.request import DataHandler, Request, url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse

from publisher.errors import BuildError
from publisher.render.sandbox import MAX_LAYOUT_BYTES

MAX_RESOURCE_BYTES = 50_000_000  # a font or image bigger than this is not a book resource
# The project's files are addressed as file://publisher/project/<path inside the project>,
# never by their absolute path: WeasyPrint names each image in the PDF after the MD5 of its
# URL, so an absolute path would make the same project give other bytes in another folder.
# The path starts one folder down (/project/), so a relative link that climbs out of the
# project (../../etc/passwd) still lands outside it and is refused, not clamped at the root.
PROJECT_HOST = "publisher"
_PROJECT_PATH = "/project/"
PROJECT_BASE = f"file://{PROJECT_HOST}{_PROJECT_PATH}"
_SCANNED_SUFFIXES = {".j2", ".html", ".xhtml", ".css", ".svg", ".xml", ".txt"}


class ProjectFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that never opens a socket and never leaves the project.

    Only `data:` URLs and regular files whose real path (symlinks followed) lies inside one of
    the allowed roots are served. Every refusal is also kept in `refused`, so the caller can
    report it even though WeasyPrint turns fetch errors into log messages.
    """

    def __init__(self, root: Path, *extra_roots: Path) -> None:
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False,
                         fail_on_errors=False)
        self.root = Path(root).resolve()
        self.roots = [self.root, *(Path(r).resolve() for r in extra_roots)]
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        try:
            return self._fetch(url)
        except BuildError as exc:
            self.refused.append(exc.message)
            raise

    def _fetch(self, url: str) -> URLFetcherResponse:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            # urllib's DataHandler decodes in memory; it has no way to reach the network.
            with DataHandler().data_open(Request(url)) as response:
                body = response.read(MAX_RESOURCE_BYTES + 1)
                kind = response.headers.get_content_type()
            return URLFetcherResponse(url, body, {"Content-Type": kind})
        if scheme != "file":
            raise BuildError(f"{self.referrer(url)}: refused to fetch {url!r}: the build never "
                             "uses the network; only data: URLs and files inside the project "
                             "are allowed")
        if parts.netloc not in ("", "localhost", PROJECT_HOST):
            raise BuildError(f"{self.referrer(url)}: refused to fetch {url!r}: files on another "
                             "host are not allowed")
        try:
            path = Path(url2pathname(unquote(parts.path)))
            if parts.netloc == PROJECT_HOST:  # relative to the project, whatever its folder
                if not (parts.path + "/").startswith(_PROJECT_PATH):
                    # Shown as the file it would name if the project were at the root.
                    raise BuildError(f"{self.referrer(url)}: refused to read "
                                     f"{'file://' + parts.path!r}: it is outside the project")
                path = self.root / path.relative_to(_PROJECT_PATH)
            target = path.resolve()
        except (OSError, RuntimeError, ValueError) as exc:
            raise BuildError(f"{self.referrer(url)}: cannot resolve {url!r}: {exc}") from None
        if not any(target.is_relative_to(r) for r in self.roots):
            raise BuildError(f"{self.referrer(url)}: refused to read {url!r}: it is outside the "
                             "project (symlinks are followed before this check)")
        if not target.is_file():
            raise BuildError(f"{self.referrer(url)}: resource not found or not a regular file: "
                             f"{self._show(target)}")
        size = target.stat().st_size
        if size > MAX_RESOURCE_BYTES:
            raise BuildError(f"{self.referrer(url)}: {self._show(target)} is {size:,} bytes; "
                             f"the limit is {MAX_RESOURCE_BYTES:,}")
        mime, _ = mimetypes.guess_type(target.name)
        # The response's URL is the base of a stylesheet's own links: keep it path-independent.
        return URLFetcherResponse(project_url(target, self.root), target.read_bytes(),
                                  {"Content-Type": mime or "application/octet-stream"})

    def _show(self, target: Path) -> str:
        inside = target.is_relative_to(self.root)
        return str(target.relative_to(self.root)) if inside else str(target)

    def referrer(self, url: str) -> str:
        """The user layout line that mentions this resource, or 'a layout' if none does.

        Content is escaped before it reaches HTML, so only a layout can name a resource; the
        exact line is found by looking for the URL, then for its last path segment.
        """
        layouts = self.root / "layouts"
        if not layouts.is_dir():
            return "a layout"
        name = unquote(urlsplit(url).path).rstrip("/").rsplit("/", 1)[-1]
        needles = [n for n in (url, name) if n]
        files = sorted(p for p in layouts.rglob("*")
                       if p.suffix in _SCANNED_SUFFIXES and p.is_file() and not p.is_symlink()
                       and p.stat().st_size <= MAX_LAYOUT_BYTES)
        for needle in needles:
            for file in files:
                text = file.read_text("utf-8", errors="replace")
                for number, line in enumerate(text.splitlines(), 1):
                    if needle in line:
                        return f"{file.relative_to(self.root)}:{number}"
        return "a layout"


def project_url(target: Path, root: Path) -> str:
    """A file's URL for WeasyPrint: project-relative inside `root`, else its file: URI."""
    if not target.is_relative_to(root):
        return target.as_uri()
    return PROJECT_BASE + quote(target.relative_to(root).as_posix())


def make_fetcher(root: Path, *extra_roots: Path) -> ProjectFetcher:
    """A url_fetcher that refuses the network and any file outside the allowed roots."""
    return ProjectFetcher(root, *extra_roots)
