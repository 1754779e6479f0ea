"""Does entailment add to the faithfulness metric? Its cross-validated figures with and without.

    python benchmarks/faithfulness_nli.py DELTA [DELTA ...] [--folds 5] [--seed 0] [--cache DIR]

Measures every summary sentence of frank_dev and summeval_dev as benchmarks/faithfulness_calibrate.py
does, and for each NLI delta (benchmarks/nli_train.py) the sentence's max P(entailment) and max
P(contradiction) over its premises (benchmarks._nli_entailment: the evidence sentences and the two
joined). Prints, on the same folds: the calibrated model without and with the two as extra features,
and the entailment probability alone (a summary's mean over its sentences) as a metric.

Measured (docs/faithfulness.md; the features of 93feb40, before the passage similarity): without
entailment FRANK CNN/DM / XSum 0.460 / 0.287, SummEval consistency rho 0.423, system tau 0.42; with the
SNLI delta (20,000 pairs, seed 0) 0.454 / 0.277, 0.426 / 0.42; with the SNLI + 2,915 synthetic pairs
delta 0.455 / 0.291, 0.423 / 0.42. Not shipped.
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from benchmarks import _frank, _summeval  # noqa: E402
from benchmarks.faithfulness_calibrate import (  # noqa: E402
    consistency_share, cross_validated, measured, pooled, print_frank, print_summeval)


def source_order(item, evidence: list[str]) -> list[str]:
    """Evidence sentences in the order the cluster's documents give them."""
    text = "\n".join(d.text for d in item.cluster.documents)
    return sorted(evidence, key=lambda e: (text.find(e) if e in text else len(text)))


def sentences_and_rows(items, cache: Path | None):
    """Per summary: measurement rows, and (sentence, evidence in source order) per row."""
    if cache is not None and cache.is_file():
        return pickle.loads(cache.read_bytes())
    from bench.metrics.faithfulness.faithfulness import Faithfulness
    from bench.plugins import ItemFailure
    from bench.text.tokenised import detokenised

    results = Faithfulness().score(items)
    pairs = [[] if isinstance(r, ItemFailure) else
             [(detokenised(s["sentence"]),
               [detokenised(e) for e in source_order(it, [e["sentence"] for e in s["evidence"]])])
              for s in r.details["sentences"]]
             for it, r in zip(items, results)]
    out = (measured(results), pairs)
    if cache is not None:
        cache.write_bytes(pickle.dumps(out))
    return out


def entailment_columns(pairs, delta: Path, cache: Path | None) -> tuple[list[np.ndarray], float]:
    """Per summary, (max P(entailment), max P(contradiction)) per sentence; seconds it took."""
    from benchmarks._nli_entailment import sentence_entailment

    sha = hashlib.sha256(delta.read_bytes()).hexdigest()[:16]
    path = cache / f"nli-{sha}.pkl" if cache is not None else None
    if path is not None and path.is_file():
        return pickle.loads(path.read_bytes())
    flat = [p for summary in pairs for p in summary]
    started = time.time()
    probs = sentence_entailment(flat, delta)
    took = time.time() - started
    out, k = [], 0
    for summary in pairs:
        out.append(np.array(probs[k: k + len(summary)], float).reshape(len(summary), 2))
        k += len(summary)
    if path is not None:
        path.write_bytes(pickle.dumps((out, took)))
    return out, took


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("deltas", type=Path, nargs="+")
    ap.add_argument("--frank", type=Path, default=_frank.DATA)
    ap.add_argument("--summeval", type=Path, default=_summeval.DATA)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cache", type=Path, default=None, help="keep measurements in this folder")
    args = ap.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    frank, summeval = _frank.load(args.frank), _summeval.load(args.summeval)
    if args.cache is not None:
        args.cache.mkdir(parents=True, exist_ok=True)
    rows, pairs = [], []
    for name, d in (("frank", frank), ("summeval", summeval)):
        r, p = sentences_and_rows(d.items, args.cache / f"{name}-sentences.pkl" if args.cache else None)
        rows += r
        pairs += p
    pool = pooled((frank.items, frank.human), (summeval.items, consistency_share(summeval)))
    n = len(frank.items)
    variants = {"faithfulness (as shipped)": cross_validated(rows, pool, args.seed, args.folds)[0]}
    for delta in args.deltas:
        nli, took = entailment_columns(pairs, delta, args.cache)
        print(f"{delta.name}: {sum(len(p) for p in pairs)} sentences, {took:.0f}s"
              f" ({1000 * took / len(pairs):.0f} ms per summary, 1 thread)")
        extended = [np.concatenate([r, e], axis=1) for r, e in zip(rows, nli)]
        variants[f"+ entailment ({delta.stem})"] = cross_validated(extended, pool, args.seed, args.folds)[0]
        variants[f"P(entail) alone ({delta.stem})"] = np.array(
            [e[:, 0].mean() if len(e) else np.nan for e in nli])
        variants[f"1-P(contra) alone ({delta.stem})"] = np.array(
            [1 - e[:, 1].mean() if len(e) else np.nan for e in nli])
    print(f"{args.folds}-fold CV over articles (seed {args.seed}), same folds for every variant")
    print("FRANK (human: share of sentences without a factual error)")
    print_frank({k: v[:n] for k, v in variants.items()}, frank)
    print("SummEval (experts' mean; per-article Spearman / Kendall averaged)")
    print_summeval({k: v[n:] for k, v in variants.items()}, summeval)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
