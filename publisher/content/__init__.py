"""The book's content: model, strict YAML, loading, fonts, importer, scaffold."""
