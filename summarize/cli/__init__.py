"""The command line: typer commands and rich output, above the library (which never imports this package)."""

from summarize.cli.app import app, main

__all__ = ["app", "main"]
