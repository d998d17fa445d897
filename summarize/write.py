"""Write stage: cluster.json (everything, machine-readable), cluster.md (a readable brief) and
cluster.html (the brief as a self-contained page, rendered from the cluster.json document).

Files are written atomically: temp files in the same directory, fsync, then renames, and the
renames start only once every temp file is complete, so a crash or a full disk while writing
leaves the previous outputs intact (never a new cluster.json beside an old cluster.md).
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from summarize.backends.stub import STUB_NOTICE
from summarize.errors import OutputError
from summarize.presets import language_name
from summarize.provenance import check_lines, checks_json, cited_summary, trace_cluster, traced_json
from summarize.records import ClusterResult
from summarize.report import render_cluster

SCHEMA = "summarize.cluster/1"


def atomic_write_text(path: Path, text: str) -> None:
    """Replace `path` with `text` in one step (temp file + fsync + rename)."""
    atomic_write_texts({path: text})


def atomic_write_texts(files: dict[Path, str]) -> None:
    """Replace each path with its text: every temp file is complete and fsynced before the first rename."""
    written: dict[Path, str] = {}
    try:
        for path, text in files.items():
            written[path] = _write_temp(path, text)
        for path, tmp in written.items():
            os.replace(tmp, path)
    except (OSError, OutputError) as err:
        for tmp in written.values():
            Path(tmp).unlink(missing_ok=True)
        if isinstance(err, OutputError):
            raise
        raise OutputError(f"cannot write {path} ({err.strerror or err}); previous outputs were left intact") from err


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# Outputs get the mode any new file gets (0644 under the usual umask), not mkstemp's private 0600.
# Read once at import: os.umask can only be read by setting it, which is not thread-safe later on.
FILE_MODE = 0o666 & ~_current_umask()


def _write_temp(path: Path, text: str) -> str:
    """A complete, fsynced temp file beside `path`; OutputError if the folder cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as err:
        raise OutputError(f"cannot write to {path.parent} ({err.strerror or err}); choose another --out directory") from err
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def cluster_json(result: ClusterResult) -> dict:
    run = result.run
    provenance = result.provenance or trace_cluster(result.articles, result.brief)
    return {
        "schema": SCHEMA,
        "cluster": {
            "id": result.cluster_id,
            "source": result.source_dir,
            "summary": result.brief.summary,
            "summary_sentences": traced_json(provenance.summary_sentences),
            "pooled_sentences": [
                {"article": p.article, "segment": p.segment, "text": p.text, "score": p.score}
                for p in result.brief.pooled
            ],
            "dropped_duplicates": result.brief.dropped_duplicates,
        },
        "articles": [
            {
                "id": a.article.id,
                "path": a.article.path,
                "sha256": a.article.sha256,
                "title": a.article.title,
                "metadata": a.article.metadata,
                "language": a.article.language,
                "text": a.article.text,
                "removed": [{"rule": rule, "text": text} for rule, text in a.article.removed],
                "segments": [
                    {"paragraph": s.paragraph, "source": s.source, "translation": s.translation}
                    for s in a.translated.segments
                ],
                "translation": a.translated.translation,
                "brief": a.brief,
                "brief_sentences": traced_json(provenance.brief_sentences[a.article.id]),
            }
            for a in result.articles
        ],
        "skipped": [{"path": p.path, "reason": p.message} for p in result.problems],
        "warnings": [{"path": p.path, "message": p.message} for p in result.warnings],
        "checks": checks_json(provenance, [a.article.id for a in result.articles]),
        "run": {
            "backend": run.backend,
            "models": run.models,
            "signature": run.signature,
            "timings": run.timings,
            "cache": run.cache,
        },
    }


def cluster_markdown(result: ClusterResult, generated: datetime | None = None) -> str:
    generated = generated or datetime.now(timezone.utc)
    lines = [f"# {result.cluster_id}: cluster brief", ""]
    if result.run.backend == "stub":
        lines += [f"> **{STUB_NOTICE}**", ""]
    provenance = result.provenance or trace_cluster(result.articles, result.brief)
    numbers = {a.article.id: n for n, a in enumerate(result.articles, 1)}
    lines += [cited_summary(provenance, numbers) or "_(no summary: no usable article)_", "", "## Articles", ""]
    for number, a in enumerate(result.articles, 1):
        lines += [f"### [{number}] {a.article.title}", "", f"_{language_name(a.article.language)}_", "", a.brief, ""]
    lines += ["## Check", ""] + check_lines(provenance, numbers) + [""]
    for heading, notes in (("Skipped", result.problems), ("Notes", result.warnings)):
        if notes:
            lines += [f"## {heading}", ""] + [f"- `{p.path}`: {p.message}" for p in notes] + [""]
    lines += ["## Provenance", ""]
    lines += [f"- [{n}] `{a.article.path}` sha256 `{a.article.sha256[:12]}`" for n, a in enumerate(result.articles, 1)]
    for language, model in result.run.models.get("translation", {}).items():
        lines.append(f"- translation from {language_name(language)}: {', '.join(f'{k}={v}' for k, v in model.items())}")
    for role, model in result.run.models.items():
        if role != "translation":
            lines.append(f"- {role}: {', '.join(f'{k}={v}' for k, v in model.items())}")
    lines += [
        f"- signature: `{result.run.signature}`",
        f"- generated: {generated.strftime('%Y-%m-%d %H:%M UTC')}",
        "",
    ]
    return "\n".join(lines)


def write_outputs(result: ClusterResult, out_dir: Path) -> Path:
    """Write OUT/<cluster-id>/cluster.json, cluster.md and cluster.html in one atomic step; returns the cluster's output dir."""
    target = out_dir / result.cluster_id
    document = cluster_json(result)
    generated = datetime.now(timezone.utc)
    atomic_write_texts(
        {
            target / "cluster.json": json.dumps(document, ensure_ascii=False, indent=2) + "\n",
            target / "cluster.md": cluster_markdown(result, generated),
            target / "cluster.html": render_cluster(document, generated),
        }
    )
    return target
