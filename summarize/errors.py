"""One error model for the whole package.

Every failure the user can act on is a `SummarizeError`: its message is one line that names what
went wrong and the fix, and its class carries the process exit code the CLI uses. The CLI maps
these to exit codes in one place; anything else is a bug and gets a crash log.
"""

from __future__ import annotations


class SummarizeError(Exception):
    """A failure the user can fix; `str(error)` is one line naming the fix."""

    exit_code = 1


class UsageError(SummarizeError):
    """A setting or argument that cannot work (unknown backend, preset, device, quantisation ...)."""

    exit_code = 2


class BackendError(SummarizeError):
    """A backend cannot run (weights missing, bad model dir, device it cannot use ...)."""

    exit_code = 2


class IngestError(SummarizeError):
    """One article file cannot be used as text; the pipeline reports it and goes on with the others."""


class ClusterError(SummarizeError):
    """A whole cluster cannot be processed (no usable article)."""


class BatchError(SummarizeError):
    """A batch as a whole cannot start (ROOT is not a folder ...)."""


class OutputError(SummarizeError):
    """Outputs could not be written; previous outputs are left intact."""


class VerifyError(SummarizeError):
    """`summarize verify` cannot compare its two files."""

    exit_code = 2


def first_line(error: BaseException, limit: int = 200) -> str:
    """The first non-empty line of an exception's message (its type name when it has none), at most `limit` characters."""
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    return (lines[0] if lines else type(error).__name__)[:limit]
