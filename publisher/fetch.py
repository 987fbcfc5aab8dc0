"""The only way WeasyPrint may reach a resource: data: URLs and files inside the project."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from publisher.errors import BuildError


def make_fetcher(root: Path, *extra_roots: Path):  # noqa: ANN201 - WeasyPrint's fetcher protocol
    """A url_fetcher that refuses the network and any file outside the allowed roots."""
    roots = [r.resolve() for r in (root, *extra_roots)]

    def fetch(url: str, timeout: int = 10, ssl_context=None) -> dict:  # noqa: ANN001
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            from weasyprint.urls import default_url_fetcher

            return default_url_fetcher(url, timeout=timeout, ssl_context=ssl_context)
        if scheme != "file":
            raise BuildError(f"refused to fetch {url!r}: only files inside the project are allowed")
        target = Path(unquote(urlsplit(url).path)).resolve()
        if not any(target.is_relative_to(r) for r in roots):
            raise BuildError(f"refused to read {target}: it is outside the project")
        if not target.is_file():
            raise BuildError(f"resource not found: {target}")
        mime, _ = mimetypes.guess_type(target.name)
        return {"string": target.read_bytes(), "mime_type": mime or "application/octet-stream",
                "redirected_url": url, "filename": target.name}

    return fetch
