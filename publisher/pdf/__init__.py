"""Typesetting the PDF: WeasyPrint in parts, merged; the print edition and its cover."""
