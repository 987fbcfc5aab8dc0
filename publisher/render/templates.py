"""Render the book model through Jinja2 layouts into HTML (PDF) and XHTML (EPUB)."""

from __future__ import annotations

import traceback
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from publisher import builtin_dir
from publisher.content.model import Project, place_labels
from publisher.render.sandbox import ConfinedLoader, LayoutSandbox
from publisher.text.typography import prepare


def environment(project: Project) -> jinja2.Environment:
    """Jinja2 with the user's layouts first, then the built-in ones (also as `builtin/...`)."""
    folder = project.layouts_dir
    # Which overrides exist, and when they changed: a new or edited layout gets a new
    # environment (`publisher watch` keeps the process alive across edits).
    listing = tuple(sorted((str(p), p.stat().st_mtime_ns) for p in folder.rglob("*")
                           if p.is_file())) if folder is not None else ()
    return _environment(folder, listing)


@lru_cache(maxsize=8)
def _environment(layouts_dir: Path | None, _listing: tuple) -> jinja2.Environment:
    # One environment per state of the layouts folder, so each template is compiled once
    # per build, not once per chapter (an EPUB renders a chapter template per interview).
    builtin = ConfinedLoader(str(builtin_dir("layouts")))
    loaders: list[jinja2.BaseLoader] = []
    if layouts_dir is not None and layouts_dir.resolve() != builtin_dir("layouts").resolve():
        # ConfinedLoader checks a template's real path: a symlink out of layouts/ is refused.
        loaders.append(ConfinedLoader(str(layouts_dir)))
    loaders += [builtin, jinja2.PrefixLoader({"builtin": builtin})]
    # A user layout is third-party code: the sandbox keeps it away from Python internals.
    env = LayoutSandbox(
        loader=jinja2.ChoiceLoader(loaders),
        # Every template is markup here (.html, .xhtml, .j2, .css): escape all of them.
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["prepare"] = prepare
    env.filters["css_string"] = css_string
    return env


def css_string(value: object) -> Markup:
    """`value` as a quoted CSS string, safe inside a <style> element (no `</style>` in it)."""
    escaped = "".join(c if c.isalnum() or c in " -_.,:;!?" or ord(c) > 127
                      else f"\\{ord(c):x} " for c in str(value))
    return Markup(f'"{escaped}"')


def context(project: Project, **extra: Any) -> dict[str, Any]:
    """What every layout sees: the book, its interviews and the standard questions."""
    # Computed once per project: the EPUB renders a document per interview.
    cached = _CONTEXTS.get(id(project))
    if cached is None or cached[0] is not project:
        _CONTEXTS.clear()
        cached = _CONTEXTS[id(project)] = (project, _base_context(project))
    return {**cached[1], **extra}


_CONTEXTS: dict[int, tuple[Project, dict[str, Any]]] = {}


def _base_context(project: Project) -> dict[str, Any]:
    """The book, its interviews and the by-question index.

    `question_index` lists, per standard question that at least one interview asks, the
    (interview, pair number) answering it; `index_rows` gives, per interview, the pair number
    answering each of those questions, or None where the interview skipped it. An
    interview's own questions are in its chapter, not in the index. `place_label` names each
    interview's place by slug, telling apart two interviews in one region (model.place_labels).
    """
    book = project.book
    asked = {pair.question_id for interview in project.interviews for pair in interview.qa}
    questions = [q for q in book.questions if q.id in asked]
    position = {q.id: k for k, q in enumerate(questions)}
    index: list[tuple[Any, list[tuple[Any, int]]]] = [(q, []) for q in questions]
    rows = []
    for interview in project.interviews:
        row: list[int | None] = [None] * len(questions)
        for n, pair in enumerate(interview.qa):
            k = position.get(pair.question_id)
            if k is not None:
                index[k][1].append((interview, n))
                row[k] = n
        rows.append((interview, row))
    return {"book": book, "interviews": project.interviews, "question_index": index,
            "index_rows": rows, "index_gaps": any(None in row for _, row in rows),
            "place_label": place_labels(project.interviews)}


def render(project: Project, template: str, **extra: Any) -> str:
    """Render one layout with the book's context."""
    env = environment(project)
    try:
        text = env.get_template(template).render(context(project, **extra))
        if not text.strip() and template.endswith((".html.j2", ".xhtml.j2")):
            raise jinja2.TemplateError("the layout rendered nothing: a document needs at "
                                       "least one element")
        return text
    except jinja2.TemplateSyntaxError as exc:
        from publisher.errors import BuildError

        where = f"{exc.filename or exc.name}:{exc.lineno}"
        raise BuildError(f"{where}: layout error: {exc.message}") from None
    except jinja2.UndefinedError as exc:
        from publisher.errors import BuildError

        raise BuildError(f"{template}: layout uses an undefined value: {exc.message}") from None
    except (jinja2.TemplateError, ArithmeticError, LookupError, TypeError, ValueError,
            RecursionError) as exc:
        # Whatever a user layout does wrong is reported as its file and line, not a traceback.
        from publisher.errors import BuildError

        raise BuildError(f"{_where(exc, template)}: layout error: {exc}") from None


def _where(exc: BaseException, template: str) -> str:
    """The innermost template frame of a layout error, as path:line."""
    found = template
    for frame, line in traceback.walk_tb(exc.__traceback__):
        name = frame.f_code.co_filename
        if not name.endswith(".py") and not name.startswith("<"):
            found = f"{name}:{line}"
    return found
