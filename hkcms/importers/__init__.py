"""Importers: one module per source turns an old blog into plain ImportedPost records."""
