"""The package's import graph, function-level imports included: no cycles, and one direction."""

from __future__ import annotations

import grimp
import pytest

KNOWN_CYCLES: list[set[str]] = []
PDF_SIDE = ("pdf", "parts", "partworker", "pdfmerge", "pdfhtml", "weasy", "pagetext",
            "pdftypes", "press", "imprint", "colour", "geometry")


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("publisher")


def cycles(graph: grimp.ImportGraph) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(component)

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_module_imports_itself_through_others(graph: grimp.ImportGraph) -> None:
    assert [c for c in cycles(graph) if c not in KNOWN_CYCLES] == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for name in ("a", "a.b", "a.c", "a.d"):
        graph.add_module(name)
    graph.add_import(importer="a.b", imported="a.c")
    graph.add_import(importer="a.c", imported="a.b")
    graph.add_import(importer="a.d", imported="a.b")
    assert cycles(graph) == [{"a.b", "a.c"}]


def test_the_pdf_side_imports_neither_the_epub_side_nor_the_build(
        graph: grimp.ImportGraph) -> None:
    wrong = {(f"publisher.{module}", imported) for module in PDF_SIDE
             for imported in graph.find_modules_directly_imported_by(f"publisher.{module}")
             if imported.startswith(("publisher.epub", "publisher.build"))}
    assert wrong == set()


def test_the_shared_names_import_nothing_of_the_package(graph: grimp.ImportGraph) -> None:
    assert graph.find_modules_directly_imported_by("publisher.names") == set()
    assert graph.find_modules_directly_imported_by("publisher.pdftypes") == set()
