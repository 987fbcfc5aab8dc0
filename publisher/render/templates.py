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
    return _environment(*_state(project))


def _state(project: Project) -> tuple[Path | None, tuple]:
    folder = project.layouts_dir
    # Which overrides exist, and when they changed: a new or edited layout gets a new
    # environment (`publisher watch` keeps the process alive across edits).
    listing = tuple(sorted((str(p), p.stat().st_mtime_ns) for p in folder.rglob("*")
                           if p.is_file())) if folder is not None else ()
    return folder, listing


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
    folder, listing = _state(project)
    env = _environment(folder, listing)
    problems = [p for name, p in _extension_problems(folder, listing)
                if name.split("/")[0] == template.split("/")[0]]
    if problems:
        from publisher.errors import BuildError

        head = "" if len(problems) == 1 else f"{len(problems)} problems in the layouts:\n"
        raise BuildError(head + "\n".join(problems))
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

        raise BuildError(f"{_where(exc, template)}: layout uses an undefined value: "
                         f"{exc.message}") from None
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


# What a template extending another may hold outside its blocks: Jinja2 runs these (a `set`
# or an import is seen by the blocks) and drops everything else without a word.
_KEPT_OUTSIDE_BLOCKS = (jinja2.nodes.Extends, jinja2.nodes.Block, jinja2.nodes.Assign,
                        jinja2.nodes.AssignBlock, jinja2.nodes.Import,
                        jinja2.nodes.FromImport, jinja2.nodes.Macro)


@lru_cache(maxsize=8)
def _extension_problems(layouts_dir: Path | None, listing: tuple) -> tuple[tuple[str, str], ...]:
    """(template name, `path:line: message`) for what a user layout that extends another
    would lose in silence: content outside its blocks, and blocks its parent does not have.

    Jinja2 renders neither and says nothing, so a user's addition just vanished. Syntax
    errors are left to the render, which reports them at their line.
    """
    if layouts_dir is None or not listing:
        return ()
    env = _environment(layouts_dir, listing)
    found: list[tuple[str, str]] = []
    for path_text, _mtime in listing:
        name = Path(path_text).relative_to(layouts_dir).as_posix()
        try:
            source, filename, _ = env.loader.get_source(env, name)
            tree = env.parse(source, name, filename)
        except (jinja2.TemplateError, OSError, ValueError):
            continue  # refused, unreadable or a syntax error: the render says which
        extends = [node for node in tree.body if isinstance(node, jinja2.nodes.Extends)]
        if not extends:
            continue
        parent = extends[0].template
        parent_name = parent.value if isinstance(parent, jinja2.nodes.Const) else None
        lost = f"a layout that extends {parent_name or 'another'} shows only its blocks, " \
               "so this would never appear; put it inside one of the parent's blocks" \
               + _block_list(env, parent_name)
        for node in tree.body:
            if isinstance(node, jinja2.nodes.Output):
                for item in node.nodes:
                    if isinstance(item, jinja2.nodes.TemplateData):
                        if not item.data.strip():
                            continue
                        line = item.lineno + item.data[:len(item.data) - len(
                            item.data.lstrip())].count("\n")
                        what = repr(_shorten(item.data.strip()))
                    else:
                        line, what = item.lineno, "this {{ … }}"
                    found.append((name, f"{filename}:{line}: layout error: {what} is outside "
                                  f"any {{% block %}}: {lost}"))
                    break
            elif not isinstance(node, _KEPT_OUTSIDE_BLOCKS):
                tag = type(node).__name__.lower()
                found.append((name, f"{filename}:{node.lineno}: layout error: this {{% {tag} %}}"
                              f" is outside any {{% block %}}: {lost}"))
        if parent_name is None:
            continue  # a parent chosen at run time: its blocks are not known here
        known = _blocks(env, parent_name)
        if known is None:
            continue  # no such parent: the render reports it
        for node in tree.body:
            if isinstance(node, jinja2.nodes.Block) and node.name not in known:
                found.append((name, f"{filename}:{node.lineno}: layout error: {parent_name} "
                              f"has no block {node.name!r}, so this block would never appear"
                              + _block_list(env, parent_name)))
    return tuple(found)


def _blocks(env: jinja2.Environment, name: str, depth: int = 0) -> list[str] | None:
    """The names of the blocks `name` and the layouts it extends define, in the order they
    appear; None if there is no such layout."""
    try:
        source, filename, _ = env.loader.get_source(env, name)
        tree = env.parse(source, name, filename)
    except (jinja2.TemplateError, OSError, ValueError):
        return None
    names = [block.name for block in tree.find_all(jinja2.nodes.Block)]
    for node in tree.body:
        if (isinstance(node, jinja2.nodes.Extends) and isinstance(node.template, jinja2.nodes.Const)
                and depth < 10):  # a cycle is the render's to report
            names += _blocks(env, node.template.value, depth + 1) or []
    return list(dict.fromkeys(names))


def _block_list(env: jinja2.Environment, parent: str | None) -> str:
    names = _blocks(env, parent) if parent else None
    return f" (its blocks: {', '.join(names)})" if names else ""


def _shorten(text: str, limit: int = 40) -> str:
    line = text.splitlines()[0]
    return line if len(line) <= limit and "\n" not in text else line[:limit] + "…"
