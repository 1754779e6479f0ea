"""The emulation of the released Multi-News baseline output format (benchmarks/multinews_published.py)."""

import sys
from pathlib import Path

import pytest

from bench.model import Cluster, Document

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from multinews_published import published_format  # noqa: E402

CLUSTER = Cluster("c", (Document("a", "Alpha one.  Alpha two."), Document("b", "Beta one! ' Beta two.")))


def test_regroups_by_article_in_article_order_with_separators():
    text = published_format(["Beta one!'", "Alpha two.", "Alpha one."], CLUSTER)
    assert text == "Alpha two. newline_char Alpha one. story_separator_special_tag Beta one!'"


def test_cut_counts_separator_tokens():
    assert published_format(["Alpha one.", "Alpha two."], CLUSTER, tokens=3) == "Alpha one. newline_char"


def test_sentence_from_nowhere_is_an_error_naming_the_cluster():
    with pytest.raises(ValueError, match="cluster c: sentence not found"):
        published_format(["Gamma."], CLUSTER)
