"""summarize: French news clusters in, English briefs out."""

__version__ = "0.1.0"
