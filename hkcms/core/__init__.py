"""Pure domain core: posts, metadata, history. No Textual, Rich or Jinja2."""
