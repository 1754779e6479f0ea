"""Published Multi-News figures reproduced on the 50-cluster dev sample.

Fabbri et al. 2019 (full test set, ROUGE F1): First-3 39.41/11.77, LexRank
38.27/12.70, TextRank 38.44/13.10, MMR 38.77/11.98 (R-1/R-2). Their released
baseline code ranks up to 500 words and writes them regrouped by article with
separator tokens; ``benchmarks/multinews_published.py`` emulates that format
("published" below) and is the protocol these figures are reproduced under.

Measured here (R-1/R-2): First-3 at 300 words 39.20/11.29; published format
LexRank 39.62/12.03, TextRank 39.93/12.22, MMR 40.38/12.57; plain 300-word
extracts 41.65/13.37, 41.28/13.02, 42.60/14.03 (a random pick of sentences
scores 41.59 too: at 300 words length dominates), so the 300-word bands are
published -2 / +4; oracle 61.71/32.47.
"""

import sys
from pathlib import Path

import pytest

from conftest import SHARED_DATA as DATA

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from multinews_published import PUBLISHED, published_format, rouge, summaries  # noqa: E402

FIRST3 = ("lead:n=3,per_doc=true", 39.41, 11.77)
OTHERS = ["random", "centroid"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not DATA.exists(), reason=f"shared Multi-News dev data absent ({DATA})"),
]


@pytest.fixture(scope="module")
def suite():
    from bench.suites import load_suite

    return load_suite(str(DATA), fmt="multi_news")


@pytest.fixture(scope="module")
def at_300(suite):
    """Mean R-1/R-2 of every compared system with the shared 300-word budget."""
    out = {}
    for spec in [FIRST3[0], *PUBLISHED, *OTHERS, "oracle"]:
        out[spec] = rouge(suite, spec, summaries(suite, spec, 300))
        print(f"{spec:24s} R-1 {out[spec][0]:.2f}  R-2 {out[spec][1]:.2f}")
    return out


@pytest.mark.parametrize("spec", list(PUBLISHED))
def test_published_protocol_within_two_points(suite, spec):
    r1_pub, r2_pub = PUBLISHED[spec]
    long = summaries(suite, spec, 500)
    r1, r2 = rouge(suite, spec, [[published_format(b, c)] for b, c in zip(long, suite.clusters)])
    assert abs(r1 - r1_pub) <= 2, f"{spec} R-1 {r1:.2f} vs published {r1_pub}"
    assert abs(r2 - r2_pub) <= 2, f"{spec} R-2 {r2:.2f} vs published {r2_pub}"
    # the released code's 500-word length without its format lands close on R-1 too
    r1_long = rouge(suite, spec, long)[0]
    assert abs(r1_long - r1_pub) <= 2, f"{spec} 500-word R-1 {r1_long:.2f}"


def test_first3_within_two_points(at_300):
    spec, r1_pub, r2_pub = FIRST3
    r1, r2 = at_300[spec]
    assert abs(r1 - r1_pub) <= 2 and abs(r2 - r2_pub) <= 2, f"First-3 {r1:.2f}/{r2:.2f}"


@pytest.mark.parametrize("spec", list(PUBLISHED))
def test_300_word_extracts_do_not_regress(at_300, spec):
    r1_pub, r2_pub = PUBLISHED[spec]
    r1, r2 = at_300[spec]
    assert r1_pub - 2 <= r1 <= r1_pub + 4, f"{spec} R-1 {r1:.2f} vs published {r1_pub}"
    assert r2_pub - 2 <= r2 <= r2_pub + 4, f"{spec} R-2 {r2:.2f} vs published {r2_pub}"


def test_oracle_above_every_system(at_300):
    best = max(v[0] for k, v in at_300.items() if k != "oracle")
    assert at_300["oracle"][0] > best + 5
    assert at_300["oracle"][1] > max(v[1] for k, v in at_300.items() if k != "oracle")
