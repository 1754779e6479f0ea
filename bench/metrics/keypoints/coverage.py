"""Key-point coverage from token embeddings: each key point judged against the whole summary.

Pure numpy on unit-normalised token vectors, so every rule is checkable by hand:

- A key point's **score** is a weighted recall: each of its tokens takes its best
  cosine match in the summary, and the score is the weighted mean of those
  matches. It asks "how much of this key point does the summary state", not
  "how similar are the two texts". Matches are taken from the best one or two
  sentences (the pair with the highest score), so a key point may be stated by
  two sentences together while words scattered over a long summary do not add
  up to a key point nobody wrote. A bullet of several sentences is scored
  sentence by sentence (each embedded on its own; on human labels this beats
  whole bullets); what a sentence supports, its bullet supports.
- **Weights** make the score about what the key point adds: a token weighs
  ``content * max(0, 1 - s)``, where ``content`` is 0 for stop words and
  punctuation, and ``s`` is the token's best match among the *other* key points
  of the same reference. Words every key point shares (the event's main actor,
  "The doctor explains that ...") weigh little; the facts that tell key points
  apart weigh most. With one key point, or when nothing is left, content weights.
- A key point is **covered** when its score reaches the threshold. The bullets
  that **support** it are those with a sentence that states it by itself (its
  own score reaches the threshold) and those whose sentences in the best pair
  supply the best match for at least ``SUPPORT_SHARE`` of its weight; so one bullet may support
  several key points, two bullets may together cover one, and a bullet that
  repeats a key point another bullet already states is seen as redundant.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..shared.vectors import Tokens

#: a bullet supports a covered key point when it supplies this share of its weight
SUPPORT_SHARE = 0.25


def keypoint_weights(keypoints: Sequence[Tokens]) -> list[np.ndarray]:
    """Per key point, its tokens' weights (content, discounted by what other key points say)."""
    out = []
    for j, kp in enumerate(keypoints):
        content = kp.content if kp.content.any() else np.ones(len(kp.vectors))
        others = [o.vectors[o.content > 0] if o.content.any() else o.vectors
                  for i, o in enumerate(keypoints) if i != j and len(o.vectors)]
        weights = content
        if others and len(kp.vectors):
            shared = (kp.vectors @ np.concatenate(others).T).max(axis=1)
            weights = content * np.clip(1.0 - shared, 0.0, None)
            if weights.sum() <= 0:
                weights = content
        out.append(weights.astype(float))
    return out


def coverage(keypoints: Sequence[Tokens], units: Sequence[Tokens], threshold: float,
             owner: Sequence[int] | None = None) -> dict[str, Any]:
    """Scores, decisions and support for one reference's key points against one summary.

    ``units`` are the summary's sentences; ``owner[i]`` is the bullet
    unit ``i`` belongs to (default: each unit its own bullet). Returns
    ``{"keypoints": [...], "bullets": [...], "values": {...}}`` in the schema
    shared with ``keypoints-llm`` (indices are 0-based bullet positions).
    """
    if not keypoints or not units:
        raise ValueError("coverage needs at least one key point and one unit")
    owner = list(range(len(units))) if owner is None else list(owner)
    if len(owner) != len(units) or sorted(set(owner)) != list(range(max(owner) + 1)):
        raise ValueError("owner must give each unit a bullet, numbering bullets 0..n-1 without gaps")
    n_bullets = max(owner) + 1
    rows, supported = [], [set() for _ in range(n_bullets)]
    alone_covers: list[set[int]] = [set() for _ in range(n_bullets)]  # key points a bullet covers by itself
    for j, (kp, w) in enumerate(zip(keypoints, keypoint_weights(keypoints))):
        # best match of each key point token within each unit: (kp tokens, units)
        per_unit = np.stack([(kp.vectors @ u.vectors.T).max(axis=1) for u in units], axis=1)
        pair, semantic = best_pair(per_unit, w)
        score = (semantic + lexical_recall(kp, per_unit.max(axis=1), units)) / 2
        covered = score >= threshold
        best = per_unit[:, pair]
        share = np.bincount(np.array(owner)[np.array(pair)[best.argmax(axis=1)]], weights=w,
                            minlength=n_bullets) / w.sum()
        alone = {owner[i] for i in np.flatnonzero(w @ per_unit / w.sum() >= threshold).tolist()}
        support = [int(i) for i in sorted(alone | set(np.flatnonzero(share >= SUPPORT_SHARE).tolist()))] if covered else []
        for i in support:
            supported[i].add(j)
            if i in alone:
                alone_covers[i].add(j)
        rows.append({"score": score, "covered": covered, "bullets": support})
    return {"keypoints": rows, "bullets": [{"keypoints": sorted(s)} for s in supported],
            "values": values(rows, supported, alone_covers)}


def lexical_recall(kp: Tokens, best: np.ndarray, units: Sequence[Tokens]) -> float:
    """Share of the key point's content words the summary states: a word whose stem occurs in
    any unit counts 1, another its tokens' mean best cosine match (``best``)."""
    said = {stem for u in units for stem in u.stems}
    words = kp.word_of()
    keep = kp.content > 0 if kp.content.any() else np.ones(len(words), bool)
    credit = []
    for w in np.unique(words[keep]):
        stem = kp.stems[w] if w < len(kp.stems) else None
        credit.append(1.0 if stem is not None and stem in said else float(best[words == w].mean()))
    return float(np.mean(credit))


def best_pair(per_unit: np.ndarray, weights: np.ndarray) -> tuple[list[int], float]:
    """The one or two units whose best matches give the highest weighted recall (first on ties)."""
    total = weights.sum()
    n = per_unit.shape[1]
    singles = weights @ per_unit / total
    best_i = int(np.argmax(singles))
    pair, score = [best_i], float(singles[best_i])
    for i in range(n - 1):
        both = weights @ np.maximum(per_unit[:, i : i + 1], per_unit[:, i + 1 :]) / total
        k = int(np.argmax(both))
        if float(both[k]) > score + 1e-12:
            pair, score = [i, i + 1 + k], float(both[k])
    return pair, score


def values(rows: list[dict], supported: list[set[int]], alone_covers: list[set[int]]) -> dict[str, float]:
    """kp_recall, kp_score, kp_precision, kp_f1 and kp_redundancy of one reference."""
    recall = sum(r["covered"] for r in rows) / len(rows)
    precision = sum(bool(s) for s in supported) / len(supported)
    seen: set[int] = set()  # key points an earlier bullet covers by itself
    repeats = 0
    for s, alone in zip(supported, alone_covers):
        if s and s <= seen:  # only repeats key points already stated in full
            repeats += 1
        seen |= alone
    return {
        "kp_recall": recall,
        "kp_score": sum(r["score"] for r in rows) / len(rows),
        "kp_precision": precision,
        "kp_f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "kp_redundancy": repeats / len(supported),
    }
