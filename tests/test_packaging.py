"""The wheel an outside user installs: it carries the preset registry and nothing from models/ besides."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
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


def source_tree(target: Path) -> Path:
    """What the wheel is built from, copied so the build leaves nothing in the checkout (and skips models/'s weights)."""
    shutil.copytree(REPO / "summarize", target / "summarize", ignore=shutil.ignore_patterns("__pycache__"))
    (target / "models").mkdir(parents=True)
    shutil.copyfile(REPO / "models" / "registry.toml", target / "models" / "registry.toml")
    for name in ("pyproject.toml", "README.md"):
        shutil.copyfile(REPO / name, target / name)
    return target


def test_installed_wheel_has_the_registry_and_no_models(tmp_path):
    pytest.importorskip("setuptools")
    source = source_tree(tmp_path / "src")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path / "dist")],
        capture_output=True, text=True, timeout=120,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    [wheel] = (tmp_path / "dist").glob("summarize-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "summarize/registry/registry.toml" in names
    rule_files = {f"summarize/rules/{path.name}" for path in (REPO / "summarize" / "rules").glob("*.toml")}
    assert {"summarize/rules/neutral.toml", "summarize/rules/fr.toml"} <= rule_files <= set(names)
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
    assert found["presets"] == ["default", "fast", "multi-document", "quality"]
    assert found["ct2_root"] == str(tmp_path / "data" / "summarize" / "ct2")  # converted models go to the user data dir
