"""Text tokenised the old way (Penn Treebank style, as CNN/DM-era systems wrote it).

``paul merson was brought on . just been watching`` ends a sentence at the lone
full stop before a lower-case word (in text tokenised throughout, before any
word: a stray quote token must not hold several sentences together);
``-lrb-``/``-rrb-`` are brackets, ``` `` ``` and ``''`` quotes, and ``n't``,
``'s``, ``'re`` are written apart from their word. ``sentence_ends`` cuts
such text into sentences; ``detokenised`` writes it back as ordinary text, so
it reads (and embeds) like the sources.
"""

from __future__ import annotations

import re

# a lone ". ", "! " or "? " (after a word, not another full stop: ". . ." is an ellipsis) before a
# lower-case word, a tokenised opening quote or bracket: the end of a sentence in tokenised text
_END = re.compile(r"(?<=[^\s.] [.!?]) +(?=(?:`` |-lrb- )?[a-z])")
# in tokenised text a full stop set apart is always the end of a sentence (abbreviations keep theirs)
_END_TOKENISED = re.compile(r"(?<=[^\s.] [.!?]) +(?=(?:``? |-lrb- )?[A-Za-z])")

_BRACKETS = {"-lrb-": "(", "-rrb-": ")", "-lsb-": "[", "-rsb-": "]", "-lcb-": "{", "-rcb-": "}"}
_BRACKET = re.compile(r"-(?:l|r)(?:r|s|c)b-", re.IGNORECASE)
_QUOTE = re.compile(r"``|''")
_CLITIC = re.compile(r"(?<=\w) (?=(?:n't|'s|'re|'ve|'ll|'d|'m)\b)", re.IGNORECASE)
_BEFORE = re.compile(r" +(?=[.,;:!?%)\]}])")  # no space before closing punctuation
_AFTER = re.compile(r"(?<=[(\[{$]) +")  # nor after an opening bracket or a currency sign
_QUOTED = re.compile(r'" ([^"]*?) "')


def sentence_ends(text: str) -> list[str]:
    """``text`` cut at the sentence ends of tokenised text (itself when it has none)."""
    return [p for p in (_END_TOKENISED if is_tokenised(text) else _END).split(text) if p]


def is_tokenised(text: str) -> bool:
    """Written the old way: a bracket token, a tokenised quote, a clitic or a full stop set apart."""
    return bool(_BRACKET.search(text) or _QUOTE.search(text) or _CLITIC.search(text)
                or re.search(r"\w [.,] ", text + " "))


def detokenised(text: str) -> str:
    """Tokenised text as ordinary text (other text unchanged): brackets, quotes and clitics restored,
    no space before closing punctuation."""
    if not is_tokenised(text):
        return text
    text = _BRACKET.sub(lambda m: _BRACKETS[m.group(0).lower()], text)
    text = _QUOTE.sub('"', text)
    text = _CLITIC.sub("", text)
    text = _BEFORE.sub("", text)
    text = _AFTER.sub("", text)
    return _QUOTED.sub(r'"\1"', text)
