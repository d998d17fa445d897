"""The package's layers point down: read every import in summarize/ (nested ones too) and check them.

A new module must be given its layer in LAYERS below; an import that points up, a cycle, or the
library importing the CLI (typer, rich) or a model library outside the engines fails here, naming
the file and the import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "summarize"

# Lowest first. A module may import modules of its own layer or of any layer below it.
LAYERS: list[set[str]] = [
    {"summarize", "summarize.errors", "summarize.text", "summarize.cache", "summarize.records", "summarize.rules", "summarize.templates"},
    {"summarize.signature", "summarize.devices", "summarize.presets", "summarize.lexicon", "summarize.prompts", "summarize.salience"},
    {"summarize.numbers"},
    {"summarize.options"},
    {"summarize.gguf"},
    {"summarize.models", "summarize.checks"},
    {"summarize.convert"},
    {"summarize.backends.base", "summarize.backends.answers"},
    {"summarize.backends.router", "summarize.backends.engine"},
    {"summarize.backends.seq2seq", "summarize.backends.causal", "summarize.backends.stub"},
    {"summarize.backends.transformers", "summarize.backends.ct2"},
    {"summarize.backends.auto"},
    {"summarize.backends"},
    # the stages, in the order data flows: a stage never reaches back to a later one
    {"summarize.ingest"},
    {"summarize.language"},
    {"summarize.clean"},
    {"summarize.segment"},
    {"summarize.translate"},
    {"summarize.summarise"},
    {"summarize.cluster"},
    {"summarize.provenance"},
    {"summarize.report"},
    {"summarize.write"},
    {"summarize.manifest", "summarize.index", "summarize.evaluate"},
    {"summarize.pipeline"},
    {"summarize.batch"},
    {"summarize.distributed"},
    {"summarize.uploads"},
    {"summarize.serve"},
    # the command line, above everything
    {"summarize.cli.settings"},
    {"summarize.cli.progress", "summarize.cli.models", "summarize.cli.evaluate"},
    {"summarize.cli.app"},
    {"summarize.cli"},
    {"summarize.__main__"},
]
CLI_ONLY = ("typer", "rich", "click")
MODEL_LIBRARIES = ("torch", "transformers", "ctranslate2")
# Modules that may import a model library (inside the functions that need it): the engines and the converter.
ENGINES = {"summarize.gguf", "summarize.backends.engine", "summarize.backends.seq2seq", "summarize.backends.causal", "summarize.backends.transformers", "summarize.backends.ct2", "summarize.convert"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str) -> list[tuple[int, str]]:
    """(line, imported module) for every import statement of a module, nested ones included."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    return imports_in(path.read_text(encoding="utf-8"), package)


def imports_in(source: str, package: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.append((node.lineno, candidate if candidate in MODULES else base))
    return found


def layer_of(name: str) -> int:
    for index, layer in enumerate(LAYERS):
        if name in layer:
            return index
    raise AssertionError(f"{MODULES[name]}: module {name} has no layer; add it to LAYERS in {Path(__file__).name}")


def internal_edges() -> dict[str, set[str]]:
    return {name: {target for _, target in imports_of(name) if target in MODULES and target != name} for name in MODULES}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_import_points_down(name):
    here = layer_of(name)
    for line, target in imports_of(name):
        if target in MODULES and target != name:
            assert layer_of(target) <= here, f"{MODULES[name]}:{line} imports {target}, a layer above it"


def test_no_import_cycles():
    edges = internal_edges()
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for target in sorted(edges[node]):
            if state.get(target) == 1:
                cycle = path[path.index(target):] + [target]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        path.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n != "summarize.cli" and not n.startswith("summarize.cli.") and n != "summarize.__main__"))
def test_library_never_imports_the_cli_or_a_model_library_outside_the_engines(name):
    for line, target in imports_of(name):
        top = target.split(".")[0]
        assert top not in CLI_ONLY and not target.startswith("summarize.cli"), f"{MODULES[name]}:{line}: the library imports {target}"
        assert top not in MODEL_LIBRARIES or name in ENGINES, f"{MODULES[name]}:{line}: only the engines import {target}"


def test_the_checker_sees_nested_relative_and_aliased_imports():
    source = "from . import records\ndef f():\n    from summarize.cli import app\n    import summarize.batch as b\n"
    found = {target for _, target in imports_in(source, "summarize")}
    assert found == {"summarize.records", "summarize.cli.app", "summarize.batch"}
