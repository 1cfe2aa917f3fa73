"""spantag domain: articles, spans, the store, export and import. No Textual here."""

__version__ = "0.1.0"
