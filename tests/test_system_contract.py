"""Contract every registered system must meet (today's and future ones).

Systems whose ``unavailable_reason()`` is not None are skipped with that reason;
so are systems with a ``base_url`` parameter whose endpoint does not accept a
connection here (e.g. the local ollama/vllm LLM presets with no server running).
"""

import dataclasses
import socket
from urllib.parse import urlsplit

import pytest

from bench.budget import Budget, apply_budget, count_words
from bench.model import Cluster, Document, Reference
from bench.plugins.discovery import discover
from bench.plugins.system import as_output

_REGISTRY = discover().systems

TOPICS = ["harbour", "bridge", "school", "railway", "hospital", "library", "market", "stadium", "airport", "museum"]


def _article(i: int) -> str:
    topic = TOPICS[i % len(TOPICS)]
    return (
        f"City council votes on new {topic} plan {i}\n\n"
        f"The city council on Tuesday approved a plan to rebuild the old {topic} in district {i}, officials said.\n\n"
        f"The {topic} project will cost about {i + 3} million dollars and take two years to finish, the mayor told reporters.\n\n"
        f"Residents in district {i} said they welcomed the {topic} plan but worried about noise during construction work.\n"
    )


def _cluster(n_docs: int, extra: tuple[Document, ...] = ()) -> Cluster:
    docs = tuple(Document(f"d{i}", _article(i)) for i in range(n_docs)) + extra
    return Cluster(f"c{n_docs}-{len(extra)}", docs)


BOILERPLATE_ONLY = Document(
    "junk",
    "Newsletter Signup Register / Login\n\nLatest News\nTeam wins cup final\nMayor opens bridge\n\n-3 ( +3 / -6 )\n",
)
JAPANESE = (
    Document("ja1", "市議会が新しい港の計画を承認\n\n市議会は火曜日、古い港を再建する計画を承認したと当局者が述べた。"
                    "事業費は約三百万ドルで、完成まで二年かかると市長は記者団に語った。\n\n"
                    "住民は計画を歓迎したが、工事中の騒音を心配していると話した。\n"),
    Document("ja2", "市議会は古い港の再建計画を承認した。「工事は来月始まる」と市長は述べた。\n\n"
                    "港は市の経済にとって重要だと専門家は指摘している。\n"),
)
CLUSTERS = {
    "written without spaces (Japanese)": Cluster("ja", JAPANESE),
    "one document": _cluster(1),
    "fifty documents": _cluster(50),
    "document empty after cleaning": _cluster(2, (BOILERPLATE_ONLY,)),
    "same wire copy in two outlets": _cluster(1, (Document("copy", _article(0)),)),
}
REFERENCES = (Reference("any", "t", ("The city council approved a plan to rebuild the old harbour.",
                                     "Residents worried about noise during construction work.")),)
BUDGETS = [Budget(words=60), Budget(words=300, bullets=4), Budget(words=7), Budget()]


def _names() -> list[str]:
    return _REGISTRY.names()  # every registered system, presets included


def _unreachable(url: str) -> str | None:
    """Why an endpoint URL cannot be used here, or None when it accepts a connection."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname, port), timeout=1.0):
            return None
    except OSError as exc:
        return f"endpoint {url} not reachable ({exc.__class__.__name__})"


def _make(name):
    system = _REGISTRY.create(name).instance
    reason = system.unavailable_reason()
    if reason is None and dataclasses.is_dataclass(system) and getattr(system, "base_url", None):
        reason = _unreachable(system.base_url)
    if reason is not None:
        pytest.skip(f"{name} unavailable here: {reason}")
    return system


def _run(system, cluster, budget):
    refs = tuple(Reference(cluster.id, r.author, r.bullets) for r in REFERENCES) if system.uses_references else ()
    return list(as_output(system.summarize(cluster, budget, refs)).bullets)


def test_builtin_systems_are_registered():
    assert {"lead", "random", "lexrank", "textrank", "centroid", "mmr", "oracle"} <= set(_names())


@pytest.mark.parametrize("name", _names())
@pytest.mark.parametrize("where", list(CLUSTERS))
def test_contract(name, where):
    system = _make(name)
    cluster = CLUSTERS[where]
    for budget in BUDGETS:
        first = _run(system, cluster, budget)
        assert first, f"{name} returned nothing on {where}"
        assert all(isinstance(b, str) and b.strip() for b in first)
        assert _run(system, cluster, budget) == first, "not deterministic"
        assert _run(_make(name), cluster, budget) == first, "not deterministic across instances"
        norm = [" ".join(b.lower().split()) for b in first]
        assert len(set(norm)) == len(norm), f"duplicate bullets: {first}"
        if budget.words is not None:
            assert sum(count_words(b) for b in first) <= budget.words, "exceeds word budget"
        if budget.bullets is not None:
            assert len(first) <= budget.bullets, "exceeds bullet budget"
        assert apply_budget(first, budget).bullets, "nothing left after the runner applies the budget"


@pytest.mark.parametrize("where", list(CLUSTERS))
def test_contract_llm_against_a_real_local_server(where, tmp_path, monkeypatch):
    """The llm system meets the same contract, talking to a Chat Completions server on 127.0.0.1."""
    from llm_server import FakeChatServer

    monkeypatch.chdir(tmp_path)
    with FakeChatServer() as server:
        spec = f"llm:model=test-model,base_url={server.base_url},cache=false"
        system = _REGISTRY.create(spec).instance
        assert system.unavailable_reason() is None
        cluster = CLUSTERS[where]
        for budget in BUDGETS:
            first = _run(system, cluster, budget)
            assert first and all(b.strip() for b in first)
            assert _run(_REGISTRY.create(spec).instance, cluster, budget) == first, "not deterministic"
            norm = [" ".join(b.lower().split()) for b in first]
            assert len(set(norm)) == len(norm), f"duplicate bullets: {first}"
            if budget.words is not None:
                assert sum(count_words(b) for b in first) <= budget.words
            if budget.bullets is not None:
                assert len(first) <= budget.bullets
