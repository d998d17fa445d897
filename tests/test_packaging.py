"""The wheel an outside user installs: it carries the preset registry and nothing from models/ besides,
declares every dependency it needs, and works from a fresh venv on an HTML article."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

PROBE = """
import json, sys
sys.path.insert(0, sys.argv[1])
import summarize
from summarize.convert import ct2_root
from summarize.models import REGISTRY_PATH, load_registry
from summarize.options import Options
print(json.dumps({"package": summarize.__file__, "registry": str(REGISTRY_PATH), "presets": sorted(load_registry().presets),
                  "ct2_root": str(ct2_root(Options()))}))
"""
# Run inside the fresh venv: every requirement the installed wheel declares is met there.
UNMET = """
import json
from importlib import metadata
from packaging.requirements import Requirement
unmet = []
for line in metadata.requires("summarize") or []:
    requirement = Requirement(line)
    if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
        continue
    try:
        version = metadata.version(requirement.name)
    except metadata.PackageNotFoundError:
        unmet.append(line)
        continue
    if not requirement.specifier.contains(version, prereleases=True):
        unmet.append(f"{line} (have {version})")
print(json.dumps({"unmet": unmet, "requires": metadata.requires("summarize")}))
"""
HTML_ARTICLE = """<!doctype html><html><head><title>Le conseil municipal vote le budget</title></head><body>
<nav><a href="/">Accueil</a> | <a href="/politique">Politique</a></nav>
<article><h1>Le conseil municipal vote le budget</h1>
<p>Le conseil municipal de Lyon a adopté jeudi soir un budget de 850 millions d'euros pour l'année prochaine, après quatre heures de débats.</p>
<p>L'opposition a voté contre, estimant que les investissements dans les transports restaient insuffisants pour une métropole de cette taille.</p>
<p>Le maire a promis de revenir devant le conseil au printemps avec un plan détaillé pour les écoles et les crèches de la ville.</p>
</article><footer>© Journal de Lyon. Tous droits réservés.</footer></body></html>
"""


def source_tree(target: Path) -> Path:
    """What the wheel is built from, copied so the build leaves nothing in the checkout (and skips models/'s weights)."""
    shutil.copytree(REPO / "summarize", target / "summarize", ignore=shutil.ignore_patterns("__pycache__"))
    (target / "models").mkdir(parents=True)
    shutil.copyfile(REPO / "models" / "registry.toml", target / "models" / "registry.toml")
    for name in ("pyproject.toml", "README.md"):
        shutil.copyfile(REPO / name, target / name)
    return target


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    source = source_tree(work / "src")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation", "-q", "-w", str(work / "dist")],
        capture_output=True, text=True, timeout=120,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    [found] = (work / "dist").glob("summarize-*.whl")
    return found


def test_installed_wheel_has_the_registry_and_no_models(wheel, tmp_path):
    names = zipfile.ZipFile(wheel).namelist()
    assert "summarize/registry/registry.toml" in names
    rule_files = {f"summarize/rules/{path.name}" for path in (REPO / "summarize" / "rules").glob("*.toml")}
    assert {"summarize/rules/neutral.toml", "summarize/rules/fr.toml"} <= rule_files <= set(names)
    assert {"summarize/templates/cluster.html.j2", "summarize/templates/style.css"} <= set(names)
    assert not [n for n in names if n.startswith("summarize/registry/") and n != "summarize/registry/registry.toml"]

    site = tmp_path / "site"
    installed = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(wheel)],
                               capture_output=True, text=True, timeout=120)
    assert installed.returncode == 0, installed.stderr[-2000:]
    probe = subprocess.run([sys.executable, "-c", PROBE, str(site)], capture_output=True, text=True, cwd=tmp_path, timeout=60,
                           env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")})
    assert probe.returncode == 0, probe.stderr[-2000:]
    found = json.loads(probe.stdout)
    assert found["package"].startswith(str(site))  # the installed copy, not this checkout
    assert found["registry"] == str(site / "summarize" / "registry" / "registry.toml")
    assert found["presets"] == sorted(json.loads(subprocess.check_output(
        [sys.executable, "-c", "import json; from summarize.presets import load_registry; print(json.dumps(list(load_registry().presets)))"],
        cwd=REPO,
    )))
    assert found["ct2_root"] == str(tmp_path / "data" / "summarize" / "ct2")  # converted models go to the user data dir


def test_wheel_in_a_fresh_venv_declares_its_dependencies_and_reads_an_html_article(wheel, tmp_path):
    """A fresh venv, its own pip, the wheel; the libraries come from this environment, behind the venv's own
    site-packages, so the run uses the installed package and the check sees what the wheel declares."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    fresh_site = Path(subprocess.check_output([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True, cwd=tmp_path).strip())
    (fresh_site / "outer-environment.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    installed = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                               capture_output=True, text=True, timeout=120)
    assert installed.returncode == 0, installed.stderr[-2000:]

    unmet = json.loads(subprocess.check_output([str(python), "-c", UNMET], text=True, timeout=60, cwd=tmp_path))
    assert unmet["unmet"] == []
    assert any(line.startswith("lxml_html_clean") or line.startswith("lxml-html-clean") for line in unmet["requires"])

    cluster = tmp_path / "clusters" / "lyon"
    cluster.mkdir(parents=True)
    (cluster / "budget.html").write_text(HTML_ARTICLE, encoding="utf-8")
    (cluster / "budget-copie.txt").write_text(
        "Budget de Lyon\n\nLe conseil municipal de Lyon a adopté un budget de 850 millions d'euros. L'opposition a voté contre.\n",
        encoding="utf-8",
    )
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), "SUMMARIZE_CACHE_DIR": str(tmp_path / "cache")}
    run = subprocess.run([str(venv / "bin" / "summarize"), "run", str(cluster), "--backend", "stub", "--out", str(tmp_path / "out"), "-q"],
                         capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    document = json.loads((tmp_path / "out" / "lyon" / "cluster.json").read_text(encoding="utf-8"))
    html = next(a for a in document["articles"] if a["path"].endswith("budget.html"))
    assert html["title"] == "Le conseil municipal vote le budget"
    assert "850 millions d'euros" in html["text"] and "Accueil" not in html["text"] and "<p>" not in html["text"]
    assert document["run"]["signature"].startswith("summarize:")
    page = (tmp_path / "out" / "lyon" / "cluster.html").read_text(encoding="utf-8")  # templates render from the install
    assert "Le conseil municipal vote le budget" in page and "850 millions" in page
    assert os.access(venv / "bin" / "summarize", os.X_OK)
