"""Jinja2 templates and the stylesheet of the HTML pages (package data, read by summarize.report)."""
