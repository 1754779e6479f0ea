"""The LLM judge's answer parser (tolerant and malformed answers) and its values, by hand."""

from __future__ import annotations

import pytest

from bench.llm.prompt import parse_template
from bench.metrics.keypoints.judge import combine, judge_messages, reference_result
from bench.metrics.keypoints.judge_parse import Judgment, JudgmentError, parse_judgment

STRICT = '{"keypoints": [{"keypoint": 1, "label": "covered", "bullets": [2]}, ' \
         '{"keypoint": 2, "label": "partly", "bullets": [1, 3]}, {"keypoint": 3, "label": "not", "bullets": []}]}'
EXPECTED = Judgment(("covered", "partly", "not"), ((1,), (0, 2), ()))


@pytest.mark.parametrize("answer", [
    STRICT,
    f"```json\n{STRICT}\n```",
    f"Here is my assessment:\n\n```\n{STRICT}\n```\nLet me know if anything is unclear.",
    f"Sure [as requested]. {STRICT} Hope this helps.",
    # trailing commas, labels in other case, synonyms, numbers as strings
    '{"keypoints": [{"keypoint": "1", "label": "COVERED", "bullets": ["2"],}, '
    '{"keypoint": "2", "label": "Partially", "bullets": ["1", "3",],}, {"keypoint": "3", "label": "No", "bullets": [],},],}',
    # a bare list, positional, yes/partial/no, other field names
    '[{"label": "yes", "sentence_ids": [2]}, {"verdict": "partial", "bullet_ids": "1, 3"}, {"status": "no"}]',
    # keyed by key-point number, prefixed bullet numbers
    '{"1": {"label": "fully covered", "bullets": ["S2"]}, "2": {"label": "partly_covered", "bullets": ["bullet 1", "#3"]}, '
    '"3": "not covered"}',
    # entries out of order, key point given as "KP2", labels with punctuation
    '{"judgments": [{"kp": "KP2", "label": "Partly.", "bullets": [1, 3]}, {"kp": 3, "label": "\\"not\\""}, '
    '{"kp": 1, "label": "Covered", "bullets": 2}]}',
    # booleans, one list under any key, the key point's text in place of its number, a "not" with bullets (dropped)
    '{"coverage_by_point": [{"keypoint": "The quake hit.", "covered": true, "bullets": [2]}, '
    '{"keypoint": "Aid came.", "label": "partially covered", "bullets": [3, 1, 1]}, '
    '{"keypoint": "Twelve died.", "covered": false, "bullets": [1]}]}',
])
def test_tolerated_answers(answer):
    judgment = parse_judgment(answer, 3, 3)
    assert (judgment.labels, judgment.bullets, judgment.flags) == (EXPECTED.labels, EXPECTED.bullets, ())
    assert sorted(judgment.order) == [0, 1, 2]  # each entry's key point, in answer order


@pytest.mark.parametrize("answer, reason", [
    ("The summary covers most of the key points.", "answer is not JSON: 'The summary covers most"),
    ("", "answer is not JSON"),
    ('{"keypoints": [{"keypoint": 1, "label": "covered", "bullets": [1]', "answer is not JSON"),
    ("[]", "no usable key-point judgment in the answer (expected 3)"),
    ('{"summary": "good", "score": 4}', "no list of key-point judgments in the answer (keys: summary, score)"),
    ('[{"keypoint": 7, "label": "yes"}]', "no usable key-point judgment in the answer (expected 3): key point 7 is out"),
])
def test_answers_without_any_usable_judgment_give_a_reason(answer, reason):
    with pytest.raises(JudgmentError) as err:
        parse_judgment(answer, 3, 3)
    assert reason in str(err.value)


@pytest.mark.parametrize("answer, labels, bullets, flag", [
    ('{"keypoints": [{"keypoint": 1, "label": "covered", "bullets": [1]}, {"keypoint": 2, "label": "not"}]}',
     ("covered", "not", None), ((0,), (), ()), None),
    ('[{"label": "yes"}, {"label": "yes"}, {"label": "yes"}, {"label": "yes"}]',
     ("covered",) * 3, ((), (), ()), "key point 4 is out of range (the reference has 3)"),
    ('[{"keypoint": 1, "label": "yes"}, {"keypoint": 1, "label": "no"}, {"keypoint": 3, "label": "no"}]',
     ("covered", None, "not"), ((), (), ()), "key point 1 is judged twice (the first kept)"),
    ('[{"keypoint": 0, "label": "yes"}, {"keypoint": 1, "label": "no"}, {"keypoint": 2, "label": "no"}]',
     ("not", "not", None), ((), (), ()), "key point 0 is out of range"),
    ('[{"label": "yes"}, {"label": "maybe"}, {"label": "no"}]',
     ("covered", None, "not"), ((), (), ()), "unknown label 'maybe' for key point 2 (expected covered, partly or not)"),
    ('[{"label": "yes"}, {"bullets": [1]}, {"label": "no"}]', ("covered", None, "not"), ((), (), ()),
     "no label for key point 2"),
    # a bullet number out of range (often one past the last) is dropped, the label and the other bullets kept
    ('[{"label": "yes", "bullets": [2, 4]}, {"label": "no"}, {"label": "no"}]', ("covered", "not", "not"),
     ((1,), (), ()), "bullet 4 for key point 1 is out of range (the summary has 3; numbers start at 1; dropped)"),
    ('[{"label": "yes", "bullets": [0]}, {"label": "no"}, {"label": "no"}]', ("covered", "not", "not"),
     ((), (), ()), "bullet 0 for key point 1 is out of range"),
    ('[{"label": "yes", "bullets": ["the first one"]}, {"label": "no"}, {"label": "no"}]', ("covered", "not", "not"),
     ((), (), ()), "'the first one' for key point 1 is not a bullet number (dropped)"),
    ('["covered", 1, "not"]', ("covered", None, "not"), ((), (), ()), "entry 2 is not an object"),
])
def test_a_bad_entry_loses_only_its_own_part(answer, labels, bullets, flag):
    judgment = parse_judgment(answer, 3, 3)
    assert judgment.labels == labels and judgment.bullets == bullets
    assert judgment.missing == [j for j, label in enumerate(labels) if label is None]
    if flag:
        assert any(flag in f for f in judgment.flags), judgment.flags
    else:
        assert judgment.flags == ()


def test_values_by_hand():
    """4 bullets, 3 key points: KP1 covered by bullets 1 and 3, KP2 partly by 2, KP3 not."""
    j = Judgment(("covered", "partly", "not"), ((0, 2), (1,), ()))
    r = reference_result(["kp one", "kp two", "kp three"], 4, j)
    assert r["keypoints"] == [
        {"text": "kp one", "score": 1.0, "covered": True, "label": "covered", "bullets": [0, 2]},
        {"text": "kp two", "score": 0.5, "covered": False, "label": "partly", "bullets": [1]},
        {"text": "kp three", "score": 0.0, "covered": False, "label": "not", "bullets": []},
    ]
    assert r["bullets"] == [{"keypoints": [0]}, {"keypoints": [1]}, {"keypoints": [0]}, {"keypoints": []}]
    v = r["values"]
    assert v["kp_recall"] == pytest.approx(1 / 3)
    assert v["kp_recall_graded"] == pytest.approx(0.5)
    assert v["kp_precision"] == pytest.approx(3 / 4)  # bullet 4 supports nothing
    assert v["kp_f1"] == pytest.approx(2 * 0.75 * (1 / 3) / (0.75 + 1 / 3))
    assert v["kp_redundancy"] == pytest.approx(1 / 4)  # bullet 3 only repeats KP1


def test_redundancy_counts_only_bullets_adding_nothing_new():
    # bullet 1: KP1; bullet 2: KP1+KP2 (adds KP2: not redundant); bullet 3: KP2 (repeat); bullet 4: KP1+KP2 (repeat)
    j = Judgment(("covered", "covered"), ((0, 1, 3), (1, 2, 3)))
    v = reference_result(["a", "b"], 4, j)["values"]
    assert v["kp_redundancy"] == pytest.approx(2 / 4)
    assert v["kp_precision"] == 1.0 and v["kp_recall"] == 1.0 and v["kp_f1"] == 1.0


def test_nothing_covered_gives_zero_f1():
    v = reference_result(["a"], 2, Judgment(("not",), ((),)))["values"]
    assert v == {"kp_recall": 0.0, "kp_recall_graded": 0.0, "kp_precision": 0.0, "kp_f1": 0.0, "kp_redundancy": 0.0}


def test_multi_reference_mean_and_max():
    a = reference_result(["a", "b"], 2, Judgment(("covered", "not"), ((0,), ())))  # R 1/2, P 1/2, F1 1/2
    b = reference_result(["c"], 2, Judgment(("covered",), ((0, 1),)))  # R 1, P 1, F1 1
    mean, best = combine({"editor": a, "team": b}, "mean")
    assert best is None and mean["kp_recall"] == pytest.approx(0.75) and mean["kp_f1"] == pytest.approx(0.75)
    top, best = combine({"editor": a, "team": b}, "max")
    assert best == "team" and top == b["values"]


def test_prompt_numbers_key_points_and_bullets_and_keeps_json_braces():
    t = parse_template('[system]\nJudge.\n[user]\nKP{topic}:\n{keypoints}\nS ({n_bullets}):\n{bullets}\n'
                       'Answer like {"keypoints": [...]} for {n_keypoints}; {documents} stays.', "t",
                       required=("keypoints", "bullets"))
    messages = judge_messages(t, ["First  key\npoint.", "Second."], ["Bullet one."], topic="Quake")
    assert messages[0] == {"role": "system", "content": "Judge."}
    assert messages[1]["content"] == ('KP (Quake):\n1. First key point.\n2. Second.\nS (1):\n1. Bullet one.\n'
                                      'Answer like {"keypoints": [...]} for 2; {documents} stays.')
