"""A run with keypoints, faithfulness and grounding shares its work in one process (real MiniLM):
each cluster's source index is built once, and each distinct summary sentence is embedded once."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from bench.budget import Budget
from bench.caches import reset_caches
from bench.plugins.discovery import discover
from bench.runner.executors import Execution
from bench.runner.progress import Reporter
from bench.runner.run import RunRequest, execute
from bench.suites import load_suite
from conftest import SHARED_DATA

from model_fixtures import minilm  # noqa: F401  (pytest fixture)

#: more clusters than a run's metrics used to keep indexed (8): the second metric rebuilt them
CLUSTERS = 10


@pytest.mark.slow
@pytest.mark.skipif(not SHARED_DATA.exists(), reason="shared Multi-News dev data not present")
@pytest.mark.parametrize("keypoints", ["keypoints", "keypoints:faithful=false"])  # with kp_recall_faithful or not
def test_a_run_indexes_each_cluster_once_and_embeds_each_summary_sentence_once(
        keypoints, tmp_path, minilm, monkeypatch):  # noqa: F811
    import bert_score.utils

    from bench.metrics.faithfulness import source as source_mod
    from bench.metrics.shared.sentences import clean, sentences

    full = load_suite(str(SHARED_DATA), fmt="multi_news")
    clusters = full.clusters[:CLUSTERS]
    suite = type(full)(full.name, clusters, tuple(r for c in clusters for r in full.references_for(c.id)),
                       source=full.source)
    built: list[str] = []
    init = source_mod.Source.__init__
    monkeypatch.setattr(source_mod.Source, "__init__",
                        lambda self, cluster: (built.append(cluster.content_hash()), init(self, cluster))[1])
    embedded: Counter[str] = Counter()
    forward = bert_score.utils.get_bert_embedding
    monkeypatch.setattr(bert_score.utils, "get_bert_embedding",
                        lambda texts, *a, **k: (embedded.update(texts), forward(texts, *a, **k))[1])
    reset_caches()  # nothing indexed or embedded before the run; the model stays loaded
    plugins = discover()
    execute(RunRequest(suite=suite, systems=[plugins.systems.create(s) for s in ("lead", "textrank")],
                       metrics=[plugins.metrics.create(m) for m in (keypoints, "faithfulness", "grounding")],
                       budget=Budget(words=100), out=tmp_path / "run", execution=Execution(kind="local")),
            Reporter())

    scores = [json.loads(x) for x in (tmp_path / "run" / "scores.jsonl").read_text().splitlines()]
    assert len(scores) == 3 * 2 * CLUSTERS and all(s["status"] == "ok" for s in scores)
    assert sorted(built) == sorted(c.content_hash() for c in suite.clusters)  # each cluster once
    summaries = [json.loads(x) for x in (tmp_path / "run" / "summaries.jsonl").read_text().splitlines()]
    said = {s for rec in summaries for b in clean(rec["bullets"]) for s in sentences(b)}
    assert said and {t: embedded[t] for t in said} == dict.fromkeys(said, 1)
