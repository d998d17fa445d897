"""Shared pytest fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from tiny_models import build_tiny_bart, build_tiny_marian


@pytest.fixture(scope="session")
def tiny_marian_dir(tmp_path_factory) -> Path:
    """A tiny random Marian fr->en checkpoint directory (real tokenizer, 128 positions)."""
    return build_tiny_marian(tmp_path_factory.mktemp("tiny-marian"))


@pytest.fixture(scope="session")
def tiny_german_marian_dir(tmp_path_factory) -> Path:
    """A tiny random Marian de->en checkpoint directory (its tokenizer declares source_lang "de")."""
    return build_tiny_marian(tmp_path_factory.mktemp("tiny-marian-de"), source_language="de")


@pytest.fixture(scope="session")
def tiny_bart_dir(tmp_path_factory) -> Path:
    """A tiny random BART summariser checkpoint directory (real BPE tokenizer, 512 positions)."""
    return build_tiny_bart(tmp_path_factory.mktemp("tiny-bart"))


REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds" / "fr-03"


@pytest.fixture(scope="session")
def seed_dir() -> Path:
    """The five real seed articles, from the repository's own seeds/ folder."""
    return SEEDS
