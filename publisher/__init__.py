"""publisher: structured interview collections to a print-ready PDF and an EPUB 3."""

__version__ = "0.1.0"
