from __future__ import annotations

import numpy as np
import pytest

from bench.metrics.keypoints.coverage import SUPPORT_SHARE, coverage, keypoint_weights
from bench.metrics.keypoints.keypoints import CALIBRATED, KeyPoints
from bench.metrics.shared.sentences import plain as _plain
from bench.metrics.shared.vectors import Tokens, content_mask
from bench.plugins import ItemFailure, MetricResult, ScoreItem
from model_fixtures import cluster, minilm, refs, seed_suite  # noqa: F401  (pytest fixtures)


def toks(*axes, content=None):
    """Tokens pointing along the given unit axes (4-d), all content unless told."""
    v = np.eye(4)[list(axes)]
    return Tokens(v, np.ones(len(axes)) if content is None else np.array(content, float))


def test_weights_discount_what_other_key_points_also_say():
    a = toks(0, 1)  # axis 0 is shared with b, axis 1 is a's own
    b = toks(0, 2)
    wa, wb = keypoint_weights([a, b])
    assert wa.tolist() == [0.0, 1.0] and wb.tolist() == [0.0, 1.0]
    # one key point alone, or nothing left: content weights
    assert keypoint_weights([a])[0].tolist() == [1.0, 1.0]
    assert keypoint_weights([toks(0), toks(0)])[0].tolist() == [1.0]
    # stop words weigh nothing
    assert keypoint_weights([toks(0, 1, content=[0, 1])])[0].tolist() == [0.0, 1.0]


def test_one_bullet_covers_several_key_points_and_two_bullets_cover_one():
    kps = [toks(0), toks(1), toks(2, 3)]
    bullets = [toks(0, 1), toks(2), toks(3)]  # bullet 0 states kp0 and kp1; bullets 1+2 state kp2 together
    out = coverage(kps, bullets, threshold=0.9)
    assert [r["covered"] for r in out["keypoints"]] == [True, True, True]
    assert [r["bullets"] for r in out["keypoints"]] == [[0], [0], [1, 2]]
    assert out["bullets"] == [{"keypoints": [0, 1]}, {"keypoints": [2]}, {"keypoints": [2]}]
    v = out["values"]
    assert v["kp_recall"] == 1.0 and v["kp_precision"] == 1.0 and v["kp_f1"] == 1.0
    # bullets 1 and 2 only state kp2 together, so neither is a repeat
    assert v["kp_redundancy"] == 0.0


def test_scores_are_key_point_oriented_recall():
    kp = [toks(0, 1)]
    half = coverage(kp, [toks(0, 2, 3)], threshold=0.5)["keypoints"][0]
    assert half["score"] == pytest.approx(0.5) and half["covered"] and half["bullets"] == [0]
    # extra content in the summary does not lower a key point's score
    more = coverage(kp, [toks(0, 1, 2, 3)], threshold=0.5)["keypoints"][0]
    assert more["score"] == pytest.approx(1.0)


def test_precision_redundancy_and_uncovered():
    kps = [toks(0), toks(1)]
    bullets = [toks(0), toks(0), toks(3)]  # kp0 twice, then off-topic
    out = coverage(kps, bullets, threshold=0.9)
    v = out["values"]
    assert v["kp_recall"] == 0.5
    assert v["kp_precision"] == pytest.approx(2 / 3)
    assert v["kp_redundancy"] == pytest.approx(1 / 3)  # bullet 1 repeats bullet 0
    assert v["kp_score"] == pytest.approx(0.5)
    assert out["keypoints"][1] == {"score": 0.0, "covered": False, "bullets": []}
    assert out["bullets"][2] == {"keypoints": []}


def test_support_needs_a_share_of_the_weight():
    assert 0 < SUPPORT_SHARE <= 0.5
    kp = [toks(0, 1, 2, 3)]
    out = coverage(kp, [toks(0, 1, 2), toks(3)], threshold=0.5)["keypoints"][0]
    assert out["bullets"] == [0, 1]  # 3/4 and 1/4 of the weight
    out = coverage([toks(0, 1, 2, 3, 3)], [toks(0, 1, 2, 3), toks(3)], threshold=0.5)["keypoints"][0]
    assert out["bullets"] == [0]  # ties go to the first bullet holding the best match


def test_sentences_report_support_for_their_bullet():
    # one bullet of two sentences (units 0 and 1), each stating one key point; a second bullet off-topic
    out = coverage([toks(0), toks(1)], [toks(0), toks(1), toks(3)], threshold=0.9, owner=[0, 0, 1])
    assert [r["bullets"] for r in out["keypoints"]] == [[0], [0]]
    assert out["bullets"] == [{"keypoints": [0, 1]}, {"keypoints": []}]
    assert out["values"]["kp_precision"] == 0.5 and out["values"]["kp_redundancy"] == 0.0
    # a key point stated by two sentences of one bullet together
    row = coverage([toks(0, 1)], [toks(0), toks(1)], threshold=0.9, owner=[0, 0])["keypoints"][0]
    assert row["covered"] and row["bullets"] == [0]
    with pytest.raises(ValueError, match="owner"):
        coverage([toks(0)], [toks(0), toks(1)], threshold=0.9, owner=[0, 2])


def test_content_mask_follows_word_boundaries():
    wp = ["the", "koi", "##rala", "'", "s", "group", "of", "42", "."]
    assert content_mask(wp).tolist() == [0, 1, 1, 0, 0, 1, 0, 1, 0]
    bpe = ["ĠThe", "ĠKo", "ir", "ala", "Ġgroup", "."]
    assert content_mask(bpe).tolist() == [0, 1, 1, 1, 1, 1]  # "." glued to "group" in BPE


def test_markup_and_citations_are_not_embedded():
    assert _plain("* **Doctors explain:** results [32][6] of tests [1, 2]") == "* Doctors explain: results of tests"
    assert _plain("## Heading") == "Heading"


@pytest.mark.slow
def test_reference_bullets_cover_their_own_key_points(minilm, cluster, refs):
    team = refs[1]
    items = [
        ScoreItem("copy", cluster, team.bullets, (team,)),
        ScoreItem("off", cluster, ("Pakistan's cabinet approved a ban on the TLP party.",), (team,)),
    ]
    copy, off = KeyPoints().score(items)
    assert isinstance(copy, MetricResult) and isinstance(off, MetricResult)
    assert copy.values["kp_recall"] == 1.0 and copy.values["kp_precision"] == 1.0
    assert off.values["kp_recall"] == 0.0 and off.values["kp_precision"] == 0.0
    rows = copy.details["references"][team.author]["keypoints"]
    assert all(j in row["bullets"] for j, row in enumerate(rows))
    assert [r["text"] for r in rows] == [b.strip() for b in team.bullets if b.strip()]


@pytest.mark.slow
def test_one_sentence_stating_two_key_points_covers_both(minilm, cluster, refs):
    team = refs[1]
    merged = " and ".join(b.rstrip(".") for b in team.bullets[:2]) + "."
    res = KeyPoints().score([ScoreItem("s", cluster, (merged,), (team,))])[0]
    rows = res.details["references"][team.author]["keypoints"]
    assert rows[0]["covered"] and rows[1]["covered"]
    assert res.details["references"][team.author]["bullets"][0]["keypoints"][:2] == [0, 1]


@pytest.mark.slow
def test_a_bullet_of_two_sentences_supports_what_each_states(minilm, cluster, refs):
    from bench.metrics.shared.sentences import sentences

    team = refs[1]
    two = " ".join(b.strip() for b in team.bullets[:2])
    assert sentences(f"**{two}**") == [b.strip() for b in team.bullets[:2]]
    res = KeyPoints().score([ScoreItem("s", cluster, (two, "Off-topic: the weather was mild."), (team,))])[0]
    out = res.details["references"][team.author]
    assert out["keypoints"][0]["bullets"] == [0] and out["keypoints"][1]["bullets"] == [0]
    assert out["bullets"][0]["keypoints"][:2] == [0, 1] and out["bullets"][1]["keypoints"] == []


@pytest.mark.slow
def test_multi_reference_mean_and_max(minilm, cluster, refs):
    bullets = refs[1].bullets[:3]
    item = ScoreItem("s", cluster, bullets, refs)
    mean = KeyPoints().score([item])[0]
    best = KeyPoints(multi_ref="max").score([item])[0]
    per = [KeyPoints().score([ScoreItem("s", cluster, bullets, (r,))])[0].values["kp_recall"] for r in refs]
    assert mean.values["kp_recall"] == pytest.approx(sum(per) / len(per))
    assert best.details["best_reference"] == refs[1].author
    assert set(mean.details["references"]) == {r.author for r in refs}


@pytest.mark.slow
def test_signature_records_model_threshold_and_calibration(minilm):
    sig = KeyPoints().signature()
    assert sig["threshold"] == KeyPoints().cutoff() > 0
    assert "human labels" in sig["threshold_source"]
    assert sig["model"]["weights_sha256"]
    assert KeyPoints(threshold=0.7).signature()["threshold_source"] == "given"


def test_uncalibrated_model_needs_a_threshold(tmp_path):
    assert KeyPoints(model=str(tmp_path / "none")).unavailable_reason()
    assert len(CALIBRATED) == 1


def test_empty_summary_is_a_failure_not_zero(cluster, refs):
    res = KeyPoints().score([ScoreItem("s", cluster, ("  ", "**"), refs)])[0]
    assert isinstance(res, ItemFailure)


@pytest.mark.slow
def test_hand_labelled_candidates_good_paraphrases_and_off_topic(minilm):
    """The retired 20-candidate labels: a good paraphrase scores highest on its key point (and mostly
    covers it: short paraphrases of long key points are partial); off-topic bullets cover nothing."""
    import json
    from pathlib import Path

    from bench.suites import load_suite

    data = json.loads((Path(__file__).parents[1] / "fixtures" / "keypoints_labels.json").read_text())
    suite = load_suite(data["suite"])
    refs = suite.references_for(data["cluster"])
    clus = next(c for c in suite.clusters if c.id == data["cluster"])
    metric = KeyPoints()
    hits, misses = 0, []
    for cand in data["candidates"]:
        if cand["kind"] not in ("good", "off-topic"):
            continue
        res = metric.score([ScoreItem("c", clus, (cand["text"],), refs)])[0]
        for ref in refs:
            rows = res.details["references"][ref.author]["keypoints"]
            covered = {j for j, r in enumerate(rows) if r["covered"]}
            label = cand["covers"][ref.author]
            if cand["kind"] == "off-topic":
                assert covered == set(), (cand["id"], ref.author)
            elif label is not None:
                scores = [r["score"] for r in rows]
                assert scores.index(max(scores)) == label, (cand["id"], ref.author, scores)  # the right key point
                hits += label in covered
                if label not in covered:
                    misses.append((cand["id"], ref.author, [round(r["score"], 3) for r in rows]))
    print(f"\ngood paraphrases covering their labelled key point: {hits}/{hits + len(misses)}; missed {misses}")
    # measured 9/14: the misses state part of a long multi-fact key point (scores 0.49-0.67 < 0.681),
    # which these labels ("a substantial part") count and the metric, calibrated on human labels, does not
    assert hits >= 0.6 * (hits + len(misses)), misses


def test_score_is_the_mean_of_semantic_and_lexical_recall():
    # key point words: "koirala" (token 0), "sleeps" (token 1); the summary has the stem of "sleeps"
    kp = Tokens(np.eye(4)[[0, 1]], np.ones(2), np.array([0, 1]), ("koirala", "sleep"))
    bullet = Tokens(np.eye(4)[[2, 3]], np.ones(2), np.array([0, 1]), ("children", "sleep"))
    row = coverage([kp], [bullet], threshold=0.25)["keypoints"][0]
    # semantic: no vector matches (0); lexical: "sleep" said (1), "koirala" best cosine 0 -> 0.5
    assert row["score"] == pytest.approx(0.25) and row["covered"]


def test_word_pieces_group_subwords():
    from bench.metrics.shared.vectors import word_pieces

    assert word_pieces(["koi", "##rala", "sleeps"]) == ([0, 0, 1], ["koirala", "sleeps"])
    assert word_pieces(["ĠKo", "ir", "ala", "Ġsleeps"]) == ([0, 0, 0, 1], ["koirala", "sleeps"])
