"""Packaging the EPUB 3 with ebooklib."""
