"""Helpers of the page and server tests: a cluster whose text is hostile and whose translation the
checks flag, briefed without models, and a real headless browser (Debian's chromium) to open pages."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from fakes import SloppyTranslator
from summarize.backends import Backends
from summarize.backends.stub import StubSummarizer, StubTranslator
from summarize.cache import Cache
from summarize.options import Options
from summarize.pipeline import process_cluster

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS_DIR", REPO / "test-artifacts"))
INJECTED = "<script>document.title='pwned'</script>"
HOSTILE_TITLE = f"{INJECTED} Séisme au Maroc : 2 000 morts <img src=x onerror=\"document.title='pwned'\">"
ARTICLES = {
    "01.txt": f"""{HOSTILE_TITLE}

Le séisme a fait au moins 2 000 morts dans la région de Marrakech, selon le ministère de l'Intérieur.

Le président russe Vladimir Poutine a présenté ses condoléances au roi Mohammed VI vendredi soir.

Les secours ont dégagé 120 personnes des décombres dans la nuit de samedi à dimanche.
""",
    "02.txt": """Maroc : les secours à la recherche de survivants

Les équipes de secours cherchent toujours des survivants dans les villages de l'Atlas, où 2 000 personnes sont mortes.

Vladimir Poutine et plusieurs dirigeants européens ont proposé leur aide au Maroc samedi.
""",
}


def write_cluster(folder: Path, articles: dict[str, str] = ARTICLES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in articles.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def brief(cluster: Path, out: Path, sloppy: bool = True, cache: Cache | None = None) -> Path:
    """Run the pipeline (stub summaries; a translation the checks flag, unless `sloppy` is False)."""
    translator = SloppyTranslator() if sloppy else StubTranslator()
    _, target = process_cluster(cluster, out, Options(backend="stub", use_cache=False), Backends(translator, StubSummarizer()),
                                cache or Cache(None))
    return target


def chromium() -> str:
    """The chromium binary; the browser tests fail (never skip) without it: .ci/run installs it."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("the browser tests need Debian's chromium: apt-get install chromium (.ci/run installs it)")
    return found


def browse(url: str, *args: str, profile: Path) -> str:
    """Run headless chromium on `url` with `args` (e.g. --dump-dom); returns its stdout."""
    command = [
        chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
        "--disable-extensions", "--hide-scrollbars", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-default-browser-check", "--disable-features=Translate,MediaRouter,OptimizationHints",
        f"--user-data-dir={profile}", *args, url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def screenshot(url: str, name: str, profile: Path, width: int = 1200, height: int = 1600) -> Path:
    """A PNG of the page, kept as a test artifact (test-artifacts/, or $TEST_ARTIFACTS_DIR)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / name
    browse(url, f"--window-size={width},{height}", f"--screenshot={target}", profile=profile)
    assert target.stat().st_size > 10_000, f"{target} looks empty"
    return target
