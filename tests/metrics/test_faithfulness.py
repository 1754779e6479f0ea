"""The faithfulness metric with the real MiniLM model on the seed cluster."""

from __future__ import annotations

import pytest

from bench.errors import MetricUnavailable
from bench.metrics.faithfulness.faithfulness import Faithfulness
from bench.metrics.faithfulness.grounding import Grounding
from bench.plugins import ItemFailure, MetricResult, ScoreItem
from model_fixtures import cluster, minilm, seed_suite  # noqa: F401  (pytest fixtures)

COPY = ("Japan's Foreign Minister Takeshi Iwaya met with Trump's Secretary of State Marco Rubio and "
        "National Security Adviser Mike Waltz on Tuesday in Washington.")
PARAPHRASE = ("On Tuesday in Washington, Japanese foreign minister Takeshi Iwaya held talks with US Secretary of "
              "State Marco Rubio and national security adviser Mike Waltz.")
WRONG_DAY = COPY.replace("Tuesday", "Friday")
INVENTED = "Officials plan a naval base named after Harold Pemberton-Vance, with 40 new destroyers."


def score(cluster, *bullets):
    [out] = Faithfulness(device="cpu").score([ScoreItem("s", cluster, tuple(bullets), ())])
    return out


@pytest.fixture(scope="module")
def judged(cluster, minilm):  # noqa: F811
    return {name: score(cluster, text) for name, text in
            [("copy", COPY), ("paraphrase", PARAPHRASE), ("wrong_day", WRONG_DAY), ("invented", INVENTED)]}


def test_a_copied_sentence_is_supported(judged):
    r = judged["copy"]
    assert isinstance(r, MetricResult)
    [s] = r.details["sentences"]
    assert s["verdict"] == "supported" and s["spans"] == []
    assert r.values["supported"] == 1.0 and r.values["contradicted"] == 0.0
    ev = s["evidence"][0]
    assert ev["sentence"] == COPY and ev["outlet"] and ev["document"]


def test_a_paraphrase_scores_as_well_as_the_copy(judged):
    copy, para = judged["copy"].values["faithfulness"], judged["paraphrase"].values["faithfulness"]
    [s] = judged["paraphrase"].details["sentences"]
    assert s["verdict"] == "supported", s
    assert para >= judged["copy"].details["threshold"]
    assert copy >= para > judged["invented"].values["faithfulness"]


def test_another_day_in_the_same_role_is_contradicted(judged):
    r = judged["wrong_day"]
    [s] = r.details["sentences"]
    assert s["verdict"] == "contradicted"
    [span] = s["spans"]
    assert span["text"] == "Friday" and span["kind"] == "date" and span["source_says"] == "Tuesday"
    assert WRONG_DAY[span["start"]:span["end"]] == "Friday"
    assert r.values["contradicted"] == 1.0
    assert r.values["faithfulness"] < judged["copy"].values["faithfulness"]


def test_invented_names_and_numbers_are_unsupported(judged):
    [s] = judged["invented"].details["sentences"]
    assert s["verdict"] == "unsupported"
    texts = {sp["text"]: sp["status"] for sp in s["spans"]}
    assert texts == {"Harold Pemberton-Vance": "unsupported", "40": "unsupported"}
    assert judged["invented"].values["specifics_flagged"] >= 1


def test_one_value_per_sentence_of_a_bullet(cluster, minilm):  # noqa: F811
    r = score(cluster, f"{COPY} {INVENTED}", WRONG_DAY)
    verdicts = [(s["bullet"], s["verdict"]) for s in r.details["sentences"]]
    assert verdicts == [(0, "supported"), (0, "unsupported"), (1, "contradicted")]
    assert r.values["supported"] == pytest.approx(1 / 3)


LOWER = ("japan 's foreign minister takeshi iwaya met with trump 's secretary of state marco rubio and "
         "national security adviser mike waltz on tuesday in washington .")


def test_a_copied_sentence_scores_near_1_in_any_casing_or_tokenisation(cluster, minilm, judged):  # noqa: F811
    # output of the CNN/DM era: lower-cased, Penn Treebank tokens, several sentences in one string
    quoted = "` " + WRONG_DAY.lower().replace("japan's", "japan 's").replace(".", " ' .")
    lower = score(cluster, f"{LOWER} {quoted}")
    first, second = lower.details["sentences"]
    assert first["sentence"] == LOWER and first["verdict"] == "supported" and first["spans"] == []
    assert first["score"] >= 0.9 and judged["copy"].values["faithfulness"] >= 0.9
    assert second["verdict"] == "contradicted"


def test_two_source_sentences_joined_unchanged_are_not_unsupported(cluster, minilm):  # noqa: F811
    from bench.metrics.faithfulness.source import SOURCES

    rows = [r.text for r in SOURCES.get(cluster).rows]
    i = next(i for i, t in enumerate(rows) if t.startswith("Japan is undergoing a five-year"))
    joined = f"{rows[i].rstrip('.')} and {rows[i + 1][0].lower()}{rows[i + 1][1:]}"
    [s] = score(cluster, joined).details["sentences"]
    assert s["verdict"] == "supported" and s["score"] >= 0.9, s


def test_a_changed_number_in_the_same_place_is_contradicted(cluster, minilm):  # noqa: F811
    # the bundled suite's case (issue 26): "3%" where the evidence says "2 percent of GDP"
    [s] = score(cluster, "Japan is doubling defence spending to 3% of GDP through 2027.").details["sentences"]
    assert s["verdict"] == "contradicted" and s["score"] == 0.0
    assert [(sp["text"], sp["source_says"]) for sp in s["spans"]] == [("3", "2")]


def test_failures_are_failures_not_scores(cluster, minilm):  # noqa: F811
    assert isinstance(score(cluster, "   "), ItemFailure)
    out = score(cluster, "日本の外務大臣はワシントンで会談した。")
    assert isinstance(out, ItemFailure) and "non-Latin" in out.reason
    assert isinstance(score(cluster, "!!! ..."), ItemFailure)


def test_grounding_takes_the_same_evidence(cluster, minilm):  # noqa: F811
    [g] = Grounding().score([ScoreItem("s", cluster, (PARAPHRASE,), ())])
    f = score(cluster, PARAPHRASE)
    assert g.details["bullets"][0]["evidence"] == f.details["sentences"][0]["evidence"]


def test_a_cluster_is_indexed_once_per_process(cluster, minilm, monkeypatch):  # noqa: F811
    from bench.metrics.faithfulness import source as source_mod

    built = []
    init = source_mod.Source.__init__
    monkeypatch.setattr(source_mod.Source, "__init__", lambda self, c: (built.append(c.id), init(self, c))[1])
    source_mod.SOURCES.clear()
    Grounding().score([ScoreItem("s", cluster, (COPY,), ())])
    score(cluster, WRONG_DAY)  # another metric instance, another summary: the same index
    from bench.metrics.keypoints.keypoints import KeyPoints

    ref = (PARAPHRASE,)
    from bench.model import Reference

    KeyPoints(device="cpu").score([ScoreItem("t", cluster, (INVENTED,), (Reference(cluster.id, "r", ref),))])
    assert built == [cluster.id]


def test_signature_names_the_calibration_and_unknown_models_are_unavailable():
    sig = Faithfulness().signature()
    assert sig["calibration"]["features"][0] == "similarity" and "FRANK" in sig["calibration"]["fitted_on"]
    with pytest.raises(MetricUnavailable):
        Faithfulness(model="/nonexistent/model").resolved()
    with pytest.raises(ValueError):
        Faithfulness(threshold=1.5)


def test_keypoints_count_a_key_point_faithfully_only_when_a_true_bullet_states_it(seed_suite, cluster, minilm):  # noqa: F811
    from bench.metrics.keypoints.keypoints import KeyPoints

    refs = tuple(r for r in seed_suite.references_for(cluster.id) if r.author == "sumbench-team")
    true = ("Japan is midway through a five-year military buildup through 2027 that doubles annual defense "
            "spending to 2% of GDP.")
    wrong = true.replace("2027", "2031").replace("five-year", "nine-year")
    [ok, bad] = KeyPoints(device="cpu").score([ScoreItem("a", cluster, (true,), refs),
                                               ScoreItem("b", cluster, (wrong,), refs)])
    assert ok.values["kp_recall"] > 0 and ok.values["kp_recall_faithful"] == ok.values["kp_recall"]
    assert bad.values["kp_recall"] == ok.values["kp_recall"]  # similarity alone: the same key point covered
    assert bad.values["kp_recall_faithful"] == 0.0
    [row] = [k for k in bad.details["references"]["sumbench-team"]["keypoints"] if k["covered"]]
    assert row["faithful"] is False and bad.details["faithful"]["bullets"] == [False]
    plain = KeyPoints(device="cpu", faithful=False).score([ScoreItem("b", cluster, (wrong,), refs)])[0]
    assert "kp_recall_faithful" not in plain.values


def test_reset_caches_empties_derived_text_and_embeddings_and_keeps_the_model(cluster, minilm):  # noqa: F811
    from bench.caches import reset_caches
    from bench.metrics.faithfulness import source as source_mod
    from bench.metrics.faithfulness import faithfulness as faithfulness_mod
    from bench.metrics.shared.embed import LOADED
    from bench.text import sentences as sentences_mod

    score(cluster, COPY)
    engines = list(LOADED)
    assert engines and any(e._cache for e in engines) and source_mod.SOURCES._cache and faithfulness_mod._JUDGED
    reset_caches()
    assert list(LOADED) == engines and not any(e._cache or e._cached_tokens for e in engines)
    assert not source_mod.SOURCES._cache and not faithfulness_mod._JUDGED
    assert sentences_mod._paragraph_sentences.cache_info().currsize == 0
    again = score(cluster, COPY)  # everything is computed again, to the same result
    assert again.values == score(cluster, COPY).values


def test_reset_caches_imports_nothing_heavy():
    import subprocess
    import sys

    code = ("import sys; from bench.caches import reset_caches; reset_caches(); "
            "print(sorted(m for m in ('torch', 'transformers', 'bert_score', 'bench.metrics.keypoints.keypoints') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
