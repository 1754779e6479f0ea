"""Compare sentence splitters on Multi-News text: speed and a hand-checked quality set.

    python benchmarks/sentence_splitters.py [N_CLUSTERS]

pysbd is what ``bench.text.sentences`` uses; blingfire is measured when installed.
Quality: number of the hand-written cases below split exactly as expected.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.text.sentences import paragraphs, split_sentences  # noqa: E402

DATA = ROOT.parent / "shared/data/multi_news_dev50/test.jsonl"

# (paragraph, expected sentences): abbreviations, initials, decimals, quotes
CASES = [
    ("U.S. President Donald Trump visits Tokyo on Oct. 27. He meets the prime minister.",
     ["U.S. President Donald Trump visits Tokyo on Oct. 27.", "He meets the prime minister."]),
    ("Dr. Smith earned $3.5 million in 2019. Mr. Jones did not.",
     ["Dr. Smith earned $3.5 million in 2019.", "Mr. Jones did not."]),
    ("“We are ready,” Motegi said. “What matters is what’s in it.”",
     ["“We are ready,” Motegi said.", "“What matters is what’s in it.”"]),
    ("The firm, based in Washington, D.C., said it would appeal. Shares fell 2%.",
     ["The firm, based in Washington, D.C., said it would appeal.", "Shares fell 2%."]),
    ("J.K. Rowling wrote it. Sales rose.", ["J.K. Rowling wrote it.", "Sales rose."]),
    ("He asked: why now? Nobody knew.", ["He asked: why now?", "Nobody knew."]),
    ("The U.N. said 5 a.m. was too early. Talks resumed at noon.",
     ["The U.N. said 5 a.m. was too early.", "Talks resumed at noon."]),
    ("Gov. Jerry Brown signed the bill Sept. 30. It takes effect Jan. 1.",
     ["Gov. Jerry Brown signed the bill Sept. 30.", "It takes effect Jan. 1."]),
]


def splitters():
    import pysbd

    seg = pysbd.Segmenter(language="en", clean=False)
    out = {"pysbd": lambda p: [s.strip() for s in seg.segment(p) if s.strip()]}
    try:
        import blingfire

        out["blingfire"] = lambda p: [s for s in blingfire.text_to_sentences(p).split("\n") if s]
    except ImportError:
        pass
    return out


def main() -> None:
    from bench.suites import load_suite

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    paras = []
    if DATA.exists():
        suite = load_suite(str(DATA), fmt="multi_news").limited(n)
        paras = [p for c in suite.clusters for d in c.documents for p in paragraphs(d.text)]
    words = sum(len(p.split()) for p in paras)
    for name, split in splitters().items():
        t = time.perf_counter()
        count = sum(len(split(p)) for p in paras)
        dt = time.perf_counter() - t
        good = sum(split(p) == want for p, want in CASES)
        rate = f"{words / dt / 1000:.0f}k words/s" if dt > 0 else "n/a"
        print(f"{name:10s} {len(paras)} paragraphs, {count} sentences in {dt:.2f}s ({rate}); cases {good}/{len(CASES)}")
    assert split_sentences("Headline without stop\nFirst sentence. Second one.") == [
        "Headline without stop", "First sentence.", "Second one."]


if __name__ == "__main__":
    main()
