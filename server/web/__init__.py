"""Server-rendered web UI: pages, forms and templates."""
