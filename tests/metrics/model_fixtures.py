"""Fixtures for the model-based metric tests (imported by each test module; the
model itself loads once per process: bench.metrics.shared.embed.engine is cached)."""

from __future__ import annotations

import pytest

from bench.suites import load_suite


@pytest.fixture(scope="session")
def seed_suite():
    return load_suite("seed-news")


@pytest.fixture(scope="session")
def cluster(seed_suite):
    return seed_suite.clusters[0]


@pytest.fixture(scope="session")
def refs(seed_suite, cluster):
    return seed_suite.references_for(cluster.id)


@pytest.fixture(scope="session")
def minilm():
    """The offline MiniLM model, resolved and loaded once per test session."""
    from bench.metrics.shared.embed import engine
    from bench.metrics.shared.models import MINILM, resolve_model

    model = resolve_model(MINILM)
    return engine(model, "cpu")
