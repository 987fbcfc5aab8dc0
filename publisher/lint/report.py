"""The `publisher lint` command's work: lint, optionally fix, print, choose the exit code."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import click

from publisher.errors import EXIT_FINDINGS
from publisher.lint import lint_project
from publisher.lint.finding import ERROR


def run(project_dir: Path, fmt: str, fix: bool) -> int:
    """Lint (after fixing, with --fix) and print the findings; 1 while errors remain."""
    fixed = []
    if fix:
        from publisher.lint.fix import LOG_FILE, fix_project

        fixed = fix_project(project_dir)
        files = len({e["file"] for e in fixed})
        click.echo(f"fixed {len(fixed)} finding(s) in {files} file(s); logged in {LOG_FILE}",
                   err=True)
    findings = lint_project(project_dir)
    if fmt == "json":
        click.echo(json.dumps({"fixed": len(fixed), "findings": [f.as_dict() for f in findings]},
                              ensure_ascii=False, indent=2))
    else:
        for finding in findings:
            click.echo(str(finding))
        severities = Counter(f.severity for f in findings)
        click.echo(f"{severities['error']} error(s), {severities['warning']} warning(s)", err=True)
    return EXIT_FINDINGS if any(f.severity == ERROR for f in findings) else 0
