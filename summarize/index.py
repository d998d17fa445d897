"""OUT/index.json, index.md and index.html: every cluster of a batch with its title, size, status and brief.

The index is rebuilt from the per-cluster manifests on disk (never from one process's memory) and
written atomically under a lock, so it stays right after crashes and with concurrent batches.
Statuses: done, failed (an earlier brief, if any, is still linked), pending (found under ROOT,
no outputs yet, e.g. another process is on it), orphaned (outputs whose source folder is gone).
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from summarize.manifest import MANIFEST_NAME, read_manifest, utc_now
from summarize.report import render_index
from summarize.write import OutputError, atomic_write_texts

SCHEMA = "summarize.index/1"
LOCK_DIR = ".locks"


def index_entries(out_dir: Path, present: dict[str, Path]) -> list[dict]:
    """One entry per cluster with a manifest under `out_dir` or a source in `present` (id -> folder)."""
    entries: dict[str, dict] = {}
    for manifest_path in out_dir.glob(f"*/{MANIFEST_NAME}"):
        cluster_id = manifest_path.parent.name
        manifest = read_manifest(manifest_path.parent)
        if manifest is None:
            continue
        has_brief = (manifest_path.parent / "cluster.md").is_file()
        has_page = (manifest_path.parent / "cluster.html").is_file()
        entries[cluster_id] = {
            "id": cluster_id,
            "title": manifest.title,
            "articles": manifest.articles,
            "status": manifest.status if cluster_id in present else "orphaned",
            "last_run": manifest.finished,
            "brief": f"{cluster_id}/cluster.md" if has_brief else None,
            "data": f"{cluster_id}/cluster.json" if has_brief else None,
            "page": f"{cluster_id}/cluster.html" if has_page else None,
            "source": manifest.source,
            "reason": manifest.reason,
        }
    for cluster_id, source in present.items():
        entries.setdefault(
            cluster_id,
            {"id": cluster_id, "title": "", "articles": 0, "status": "pending", "last_run": None,
             "brief": None, "data": None, "page": None, "source": str(source), "reason": ""},
        )
    return [entries[key] for key in sorted(entries)]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def index_markdown(entries: list[dict], root: Path) -> str:
    counts = {}
    for entry in entries:
        counts[entry["status"]] = counts.get(entry["status"], 0) + 1
    lines = [
        "# Cluster briefs",
        "",
        f"Source: `{root}` — " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())),
        "",
        "| Cluster | Title | Articles | Status | Last run |",
        "|---|---|---:|---|---|",
    ]
    for e in entries:
        name = f"[{_cell(e['id'])}]({quote(e['brief'])})" if e["brief"] else _cell(e["id"])
        status = e["status"] + (f": {_cell(e['reason'])}" if e["reason"] else "")
        lines.append(f"| {name} | {_cell(e['title'])} | {e['articles']} | {status} | {e['last_run'] or ''} |")
    return "\n".join(lines) + "\n"


def write_index(out_dir: Path, root: Path, present: dict[str, Path]) -> Path:
    """Rebuild OUT/index.json, index.md and index.html from what is on disk; returns the index.json path."""
    from filelock import FileLock

    try:
        (out_dir / LOCK_DIR).mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"cannot write to {out_dir} ({err.strerror}); choose another --out directory") from err
    with FileLock(out_dir / LOCK_DIR / "index.lock"):
        for leftover in out_dir.glob(".index.*.tmp"):
            leftover.unlink(missing_ok=True)
        entries = index_entries(out_dir, present)
        document = {"schema": SCHEMA, "root": str(root), "generated": utc_now(), "clusters": entries}
        atomic_write_texts(
            {
                out_dir / "index.json": json.dumps(document, ensure_ascii=False, indent=1) + "\n",
                out_dir / "index.md": index_markdown(entries, root),
                out_dir / "index.html": render_index(document),
            }
        )
    return out_dir / "index.json"
