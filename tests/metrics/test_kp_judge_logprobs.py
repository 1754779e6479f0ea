"""P(covered) from token log-probabilities, by hand."""

from __future__ import annotations

import math

import pytest

from bench.metrics.keypoints.judge_logprobs import p_covered


def tok(text: str, alts: dict[str, float] | None = None) -> dict:
    alts = alts or {text: 1.0}
    return {"token": text, "logprob": math.log(alts.get(text, 1.0)),
            "top_logprobs": [{"token": t, "logprob": math.log(p)} for t, p in alts.items()]}


def answer(*labels: tuple[int, str, dict[str, float]]) -> list[dict]:
    """Tokens of {"keypoints": [{"keypoint": j, "label": "<first token>rest"}, ...]}."""
    out = [tok('{"keypoints": [')]
    for n, (j, first, alts) in enumerate(labels):
        out += [tok(("" if n == 0 else ", ") + f'{{"keypoint": {j}, "label": "'), tok(first, alts), tok('"}')]
    return out + [tok("]}")]


def test_the_share_of_covered_among_the_label_alternatives():
    tokens = answer((1, "covered", {"covered": 0.6, "not": 0.2, "part": 0.1, "{": 0.1}),
                    (2, "not", {"not": 0.5, " cover": 0.25, "partly": 0.25}))
    got = p_covered(tokens, [0, 1])
    assert got[0] == pytest.approx(0.6 / 0.9) and got[1] == pytest.approx(0.25)


def test_entries_map_to_their_key_points_and_mismatches_give_nothing():
    tokens = answer((2, "covered", {"covered": 1.0}), (1, "not", {"not": 0.9, "covered": 0.1}))
    assert p_covered(tokens, [1, 0]) == pytest.approx({1: 1.0, 0: 0.1})
    assert p_covered(tokens, [1, None]) == {1: 1.0}  # an entry that judged nothing
    assert p_covered(tokens, [1]) == {}  # label count differs from the entries: no guess
    assert p_covered(None, [0]) == {}
    assert p_covered(answer((1, "maybe", {"maybe": 1.0})), [0]) == {}  # no label among the alternatives
