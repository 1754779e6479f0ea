"""rouge-score-rs gives exactly rouge-score's values (every P/R/F, every type).

Pairs: a seeded synthetic generator (enough on its own: mixed case, punctuation,
numbers, unicode, stemming cases, empty and one-word texts, bullets on lines for
rougeLsum, several references), plus real Multi-News clusters when the shared dev
data is beside the checkout.
"""

from __future__ import annotations

import json
import random

import pytest

from bench.model import Cluster, Document, Reference
from bench.plugins import ItemFailure, ScoreItem
from bench.plugins.discovery import discover
from conftest import SHARED_DATA

pytest.importorskip("rouge_score_rs")

WORDS = (
    "the a of and to in said government minister officials running runs ran runner generously "
    "generous happiness happily connected connection connecting agreed agreement relational "
    "conditional rational valuation digitizer operator feudalism hopefulness sensitivity "
    "Japan JAPAN japan's Trump Trump's U.S. U.K. NATO-led well-known e-mail co-operate "
    "défense café naïve Zürich straße Ünited São Paulo Москва правительство 東京 防衛費 日本は "
    "한국 مرحبا हिन्दी ﬁnance Ⅻ ½ ² x² 5G COVID-19 3.5% 1,000 2027 $4.2bn 12:30 #MeToo @user "
    "don't it's can't o'clock — – … “quoted” ‘single’ (paren) [bracket] ; : ! ? . , "
    "Ja\u200bpan soft\u00adhyphen e\u0301tude İstanbul ΣΊΣΥΦΟΣ ǅemal ﬀ 🙂 \ufeffBOM"
).split() + ["lone\ud800surrogate", "carriage\r\nreturn", "tab\tsep", "nul\x00byte", "1.5-2.5", "a" * 300]


def _text(rng: random.Random, max_words: int) -> str:
    shape = rng.random()
    if shape < 0.04:
        return ""
    if shape < 0.08:
        return rng.choice(WORDS)  # one word
    if shape < 0.10:
        return " ".join(rng.choice(["!", "...", "—", "  ", "\n"]) for _ in range(rng.randint(1, 5)))
    lines = []
    for _ in range(rng.randint(1, 4)):
        n = rng.randint(1, max_words)
        words = [rng.choice(WORDS) for _ in range(n)]
        if rng.random() < 0.3 and len(words) > 2:  # repeated phrases (rouge2, LCS ties)
            words += words[: rng.randint(1, len(words))]
        sep = rng.choice([" ", " ", " ", "  ", "\t", ", "])
        lines.append(sep.join(words))
    return rng.choice(["\n", "\n", "\n\n", " \n "]).join(lines)


def synthetic_items(n: int, seed: int = 11) -> list[ScoreItem]:
    rng = random.Random(seed)
    cluster = Cluster("c", (Document("d", "text"),))
    items = []
    for k in range(n):
        summary = _text(rng, 25)
        bullets = tuple(summary.split("\n")) if summary else ()
        refs = tuple(Reference("c", f"r{j}", tuple(_text(rng, 20).split("\n")))
                     for j in range(rng.choice([1, 1, 2, 3])))
        items.append(ScoreItem(f"s{k}", cluster, bullets, refs))
    return items


def dev_items(limit_clusters: int = 12) -> list[ScoreItem]:
    """Real summaries: lead and random sentences of dev clusters against their
    reference and (as a second reference) the next cluster's."""
    if not SHARED_DATA.exists():
        return []
    from bench.text.sentences import split_sentences

    rows = [json.loads(line) for line in SHARED_DATA.read_text(encoding="utf-8").splitlines()[:limit_clusters]]
    rng = random.Random(5)
    cluster = Cluster("c", (Document("d", "text"),))
    items = []
    for k, row in enumerate(rows):
        sents = split_sentences(row["document"].replace("|||||", "\n\n"))
        ref = split_sentences(row["summary"].lstrip("– "))
        other = split_sentences(rows[(k + 1) % len(rows)]["summary"])
        for picks in (sents[:8], rng.sample(sents, min(8, len(sents)))):
            refs = (Reference("c", "a", tuple(ref)), Reference("c", "b", tuple(other)))
            items.append(ScoreItem(f"d{k}", cluster, tuple(picks), refs[: 1 + (k % 2)]))
    return items


def _pairs(items) -> int:
    return sum(len(i.references) for i in items)


def _both(items, spec: str):
    metrics = discover().metrics
    sep = "," if ":" in spec else ":"
    rs = metrics.create(f"{spec}{sep}engine=rouge-score-rs").instance.score(items)
    ref = metrics.create(f"{spec}{sep}engine=rouge-score").instance.score(items)
    return rs, ref


def _assert_identical(rs, ref) -> int:
    scored = 0
    for a, b in zip(rs, ref, strict=True):
        assert type(a) is type(b)
        if isinstance(a, ItemFailure):
            assert a.reason == b.reason
            continue
        assert a.values == b.values  # exact, not approx: every P/R/F of every type
        scored += 1
    return scored


@pytest.mark.parametrize("spec", [
    "rouge",  # stemming, multi_ref=max
    "rouge:stemmer=false,multi_ref=mean",
    "rouge:tokenizer=unicode",
    "rouge:tokenizer=unicode,stemmer=false,multi_ref=mean",
])
def test_engines_identical_on_synthetic_pairs(spec):
    # the unicode tokenizer is Python in both engines: fewer pairs keep the test short
    items = synthetic_items(1200 if "unicode" not in spec else 500)
    rs, ref = _both(items, spec)
    assert _assert_identical(rs, ref) > 0.8 * len(items)


@pytest.mark.skipif(not SHARED_DATA.exists(), reason="shared Multi-News dev data absent")
@pytest.mark.parametrize("spec", ["rouge", "rouge:stemmer=false,multi_ref=mean"])
def test_engines_identical_on_multi_news(spec):
    items = dev_items()
    rs, ref = _both(items, spec)
    assert _assert_identical(rs, ref) == len(items)


def test_at_least_2000_pairs_and_the_synthetic_part_suffices_alone():
    synthetic = synthetic_items(1200)
    assert _pairs(synthetic) >= 2000  # in each of the 4 configurations above; dev data adds real text
    kinds = {"empty": 0, "one word": 0, "several refs": 0, "non-ascii": 0, "multi-line": 0}
    for it in synthetic:
        text = "\n".join(it.bullets)
        kinds["empty"] += not text.strip()
        kinds["one word"] += len(text.split()) == 1
        kinds["several refs"] += len(it.references) > 1
        kinds["non-ascii"] += not text.isascii()
        kinds["multi-line"] += len(it.bullets) > 1
    assert all(v >= 20 for v in kinds.values()), kinds


def test_auto_engine_is_rs_and_signature_names_it():
    metrics = discover().metrics
    auto = metrics.create("rouge").instance.signature()
    forced = metrics.create("rouge:engine=rouge-score").instance.signature()
    assert auto["engine"].startswith("rouge-score-rs ") and auto["versions"]["rouge-score-rs"]
    assert forced["engine"].startswith("rouge-score ") and forced["versions"]["rouge-score"]
    explicit = metrics.create("rouge:engine=rouge-score-rs").instance
    assert explicit.signature_hash() == metrics.create("rouge").instance.signature_hash()
    assert explicit.signature_hash() != metrics.create("rouge:engine=rouge-score").instance.signature_hash()


def test_oracle_tokens_equal_rouge_score_tokens():
    """The oracle tokenizes with rouge-score-rs's DefaultTokenizer: the same tokens."""
    from rouge_score.tokenizers import DefaultTokenizer

    from systems.oracle import _tokenizer

    texts = [t for it in synthetic_items(300) for t in (*it.bullets, *(r.text() for r in it.references))]
    texts += [s for it in dev_items(4) for s in it.bullets]
    fast, ref = _tokenizer(False), DefaultTokenizer(use_stemmer=True)
    assert type(fast).__module__.startswith("rouge_score_rs")
    assert [fast.tokenize(t) for t in texts] == [ref.tokenize(t) for t in texts]
