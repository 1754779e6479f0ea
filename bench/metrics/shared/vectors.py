"""Token vectors of a text, as the embedding metrics compare them: unit vectors per token (special
tokens dropped), which tokens carry content, the word each belongs to and each word's stem.

``token_vectors(engine, text)`` is cached per process, keyed by (engine, text): the keypoints and
faithfulness metrics take a summary sentence's vectors from here, so it is embedded (``Engine.embed``,
the engine's own per-text cache) and turned into vectors once, whichever metric asks first.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Sequence


@dataclass(frozen=True)
class Tokens:
    """One text's tokens, special tokens removed: unit vectors (n, d), content mask (n,),
    the word each token belongs to (n,) and each word's stem."""

    vectors: Any  # np.ndarray (numpy is imported on first use)
    content: Any
    words: Any = None  # default: each token its own word
    stems: tuple[str, ...] = ()

    def word_of(self):
        import numpy as np

        return self.words if self.words is not None else np.arange(len(self.vectors))


@functools.lru_cache(maxsize=512)  # a cluster's key points serve every system's summary of it
def token_vectors(eng, text: str) -> Tokens:
    """Unit token vectors and content mask of a text (special tokens dropped)."""
    import numpy as np

    ids, emb = eng.tokens(text)
    vectors = emb[1:-1].numpy().astype(np.float64)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True).clip(1e-12)
    pieces = eng.tokenizer.convert_ids_to_tokens(list(ids[1:-1]))
    words, text = word_pieces(pieces)
    content = content_mask(pieces)
    stem = _porter
    return Tokens(vectors, content, np.array(words), tuple(stem("".join(ch for ch in w if ch.isalnum()) or w)
                                                         for w in text))


@functools.lru_cache(maxsize=1)
def _stemmer():
    from nltk.stem.porter import PorterStemmer  # nltk comes with rouge-score

    return PorterStemmer()


@functools.lru_cache(maxsize=65536)
def _porter(word: str) -> str:
    return _stemmer().stem(word)


def word_pieces(pieces: Sequence[str]) -> tuple[list[int], list[str]]:
    """The word index of each piece, and each word's lowercased text.

    Word boundaries follow the tokenizer's convention: WordPiece continues a
    word with "##"; byte-level BPE ("Ġ") and SentencePiece ("▁") mark a word's start.
    """
    starts_marked = any(p.startswith(("Ġ", "▁")) for p in pieces)
    words: list[int] = []
    text: list[str] = []
    for k, piece in enumerate(pieces):
        if starts_marked:
            new = k == 0 or piece.startswith(("Ġ", "▁"))
            piece = piece.lstrip("Ġ▁")
        else:
            new = not piece.startswith("##")
            piece = piece[2:] if not new else piece
        if new or not text:
            text.append("")
        text[-1] += piece.lower()
        words.append(len(text) - 1)
    return words, text


def content_mask(pieces: Sequence[str]):
    """1 for pieces of words that carry content, 0 for stop words, punctuation and lone letters."""
    import numpy as np
    from bench.text._stop_words import ENGLISH_STOP_WORDS

    words, text = word_pieces(pieces)

    def carries(word: str) -> bool:
        core = "".join(ch for ch in word if ch.isalnum())
        return bool(core) and core not in ENGLISH_STOP_WORDS and (len(core) > 1 or core.isdigit())

    keep = [carries(w) for w in text]
    return np.array([1.0 if keep[w] else 0.0 for w in words])
