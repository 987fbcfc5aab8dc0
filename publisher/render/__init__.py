"""Jinja2 layouts to HTML, in a sandbox."""
