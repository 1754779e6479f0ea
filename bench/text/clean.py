"""Remove scraping noise from news articles: line classification plus topic drift.

Each non-blank line of a document is classified as article text or boilerplate
with general signals only (no site-specific strings):

* line shape: word count, sentence-likeness (terminal punctuation, lowercase
  words), lines without letters (vote counts such as ``-3 ( +3 / -6 )``);
* web-interface vocabulary (login, sign up, share, "learn more", cookies ...),
  lines made only of share buttons, photo credits (``Photo: AFP``), captions
  of embedded videos/posts and copyright lines;
* section markers that end an article (comment counts, "Leave a reply",
  "Latest news", "Related stories" ...): after the article has started,
  everything past such a marker is page furniture;
* position: short lines after the last article paragraph are page furniture;
  short lines before it survive only as headlines (similar to the cluster)
  or as a heading/dateline directly above a paragraph;
* topic drift: trailing paragraphs whose TF-IDF similarity to their context
  (the rest of the cluster plus the document's own text above them) is far
  below the document's typical similarity are unrelated stories appended by
  the site, and are cut.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Sequence

from .units import count_words, vectorizer

#: a paragraph: at least this many words, or a sentence of at least SENTENCE_WORDS
LONG_WORDS = 15
SENTENCE_WORDS = 5
#: only paragraphs this long (or truncated ones) can be cut as drift
DRIFT_MIN_WORDS = 30
#: trailing paragraphs below this share of the document's median similarity drift
DRIFT_RATIO = 0.35
#: a short line whose content words are mostly in the cluster's paragraphs is a headline
HEADLINE_COVERAGE = 0.6
HEADLINE_MIN_WORDS = 3

_UI = re.compile(
    r"\b(log ?in|log ?out|sign ?(up|in)|register|subscribe|subscription|newsletter|cookies?|"
    r"privacy (policy|settings)|terms (of|and) (use|service|conditions)|all rights reserved|"
    r"learn more|click here|read more|see more|show more|load more|share (this|on|via)|follow us|"
    r"follow \w+( \w+)? on (twitter|facebook|instagram)|contact us|email me|"
    r"your (account|browser|email|inbox|password|tweets?|location|settings)|javascript|"
    r"third-party applications|forgot (your )?password|user registration|buy now|shop now|"
    r"download (the|our) app|sponsored|advertisement|you can add|you always have the option|"
    r"try again later|push notifications|not available right now|video (is|has been) (unavailable|rented)|"
    r"autoplay|copy this code|embed code|click (image|photo|to (view|play|enlarge|read))|"
    r"wayback machine|internet archive|(this|these) crawls?|crawls of|crawl was run|archived? pages|"
    r"warc files?|slash pages|inter[- ]domain|outbound links|wide\d{5})\b",
    re.IGNORECASE,
)
# whole-line markers after which the article is over (comments, link lists ...)
_END = re.compile(
    r"^\W*(\d+\s+)?(comments?|responses?|replies)\W*$|"
    r"^\W*(leave|post|add|write) (a|your) (reply|comment|response)\W*$|"
    r"^\W*(log ?in|sign ?in|register) to (comment|reply|leave a comment|post)\W*$|"
    r"^\W*(latest|related|recommended|popular|trending|top|more) "
    r"(news|stories|articles|posts|reads?|videos?|headlines)\W*$|"
    r"^\W*(most (read|popular|viewed|shared)|you (may|might) also like|read next|"
    r"more (on|in) this( story| section)?|also read|see also)\W*$",
    re.IGNORECASE,
)
# a copyright line closes the article ("Image copyright X" is a photo credit)
_COPYRIGHT = re.compile(r"^\W*(©|\(c\)\s|copyright\b)", re.IGNORECASE)
_CREDIT = re.compile(
    r"\b(photo|image|picture|pic|video|graphic|credit|source|file photo)s?\s*(:|by\b)|"
    r"\(\s*(photo|image|credit)s?\b|getty images|^\W*©|^\W*\(c\)\s|copyright\b|"
    r"^\W*\w+(\s\w+)?\s*/\s*(ap|afp|reuters|getty)\b|^\W*(h/t|hat tip)\b",
    re.IGNORECASE,
)
# a line made only of share/social buttons ("Tweet email", "Play Facebook Twitter")
_SHARE = re.compile(
    r"^\W*((share|tweet|email|e-mail|print|facebook|twitter|pinterest|linkedin|whatsapp|reddit|"
    r"google\+?|google plus|save|play|comments?|more|send|link|copy link)\W*)+$",
    re.IGNORECASE,
)
# photo captions and their wire-service forms ("In this Feb. 17, 2011 photo, ...", "FILE - ...")
_CAPTION = re.compile(
    r"^\W*(image|photo|picture)\s+(caption|copyright)\b|^\W*file\s*[-–—:]\s|"
    r"^\W*in this\b.{0,60}?\b(photo|picture|image|file photo|handout photo|video)\b",
    re.IGNORECASE,
)
# a teaser link to another story ("Related: ...", "READ MORE: ...")
_TEASER = re.compile(
    r"^\W*(related|read more|more|see also|also read|also see|watch|listen|recommended|pics|photos|videos?)"
    r"( (video|gallery|story|stories|coverage|photos|links?))?\s*:",
    re.IGNORECASE,
)
# "Name Surname/Agency" photo credit or an author's e-mail address
_AGENCY = re.compile(r"\b\w+/\w[\w ]*$")
_EMAIL = re.compile(r"[\w.+-]+(@|\(at\))[\w-]+\.[\w.]+", re.IGNORECASE)
# caption of an embedded video/post ("Clip title from Some One on Vimeo.")
_EMBED = re.compile(r"\bon (youtube|vimeo|instagram|twitter|facebook|tiktok)\W*$", re.IGNORECASE)
# a video widget's caption on news-network pages ("CLOSE Pete Davidson appears to ...")
_WIDGET = re.compile(r"^CLOSE\s+\S")
# a line that is only a wire agency's name (a photo or story credit)
_WIRE_ONLY = re.compile(r"^\W*(ap|afp|reuters|associated press|agence france-presse|upi|dpa)\W*$", re.IGNORECASE)
# the header lines of a memo or letter quoted in full ("TO: Interested Parties")
_MEMO = re.compile(r"^(TO|FROM|RE|DATE|SUBJECT|CC|MEMO|MEMORANDUM)\s*:")
_LETTER = re.compile(r"[^\W\d_]")
_TERMINAL = re.compile(r"[.!?…。！？][\"'”’)\]」』）]*$")


@dataclass(frozen=True)
class LineVerdict:
    """One non-blank line: its index in ``text.split("\\n")`` and the decision."""

    index: int
    text: str
    keep: bool
    reason: str


@dataclass
class _Line:
    index: int
    text: str
    words: int
    long: bool
    keep: bool = True
    reason: str = "article"

    def drop(self, reason: str) -> None:
        if self.keep:
            self.keep, self.reason = False, reason


def _parse(text: str) -> list[_Line]:
    lines = []
    for i, raw in enumerate(text.split("\n")):
        s = " ".join(raw.split())
        if s:
            n = count_words(s)
            lines.append(_Line(i, s, n, _is_paragraph(s, n)))
    return lines


def _is_paragraph(s: str, n: int) -> bool:
    if n >= LONG_WORDS:
        return True
    if n < SENTENCE_WORDS or not _TERMINAL.search(s):
        return False
    firsts = [m.group(0) for m in map(_LETTER.search, s.split()) if m]  # each word's first letter
    lower = sum(1 for c in firsts if not c.isupper())  # caseless scripts count as lowercase
    return lower >= 0.4 * len(firsts)  # title-case lines (captions, link text) are not prose


def _is_ui(ln: _Line) -> bool:
    """Web-interface text: a short line with any cue, a short sentence with a
    multi-word cue ("try again later"), a paragraph with two distinct cues."""
    hits = _ui_cues(ln.text)
    if not ln.long:
        return bool(hits)
    if ln.words <= 15:
        return any(" " in h for h in hits) or len(hits) >= 2
    return len(hits) >= 2


# _UI is ASCII apart from \w and \d, so on lower-cased text it finds the same cues without
# IGNORECASE, 3-4x faster, unless the text holds one of the four characters that fold to an
# ASCII letter only under IGNORECASE or grow when lower-cased: İ ı ſ and the Kelvin sign
_UI_LOWER = re.compile(_UI.pattern)
_FOLDS_TO_ASCII = re.compile("[\u0130\u0131\u017f\u212a]")


def _ui_cues(text: str) -> set[str]:
    """The distinct web-interface cues of ``text``, lower-cased."""
    if _FOLDS_TO_ASCII.search(text):
        return {m.group(0).lower() for m in _UI.finditer(text)}
    return {m.group(0) for m in _UI_LOWER.finditer(text.lower())}


def _rule_pass(lines: list[_Line]) -> None:
    """Shape, vocabulary and section-end rules (no cluster context)."""
    seen_article = False
    ended = False
    for ln in lines:
        if ended:
            ln.drop("after article end")
            continue
        if not _LETTER.search(ln.text):
            ln.drop("no letters (counts, votes, separators)")
        elif _END.search(ln.text):
            ln.drop("section marker")
            ended = seen_article
        elif _COPYRIGHT.search(ln.text) and ln.words <= 12:
            ln.drop("copyright line")
            ended = seen_article
        elif _WIRE_ONLY.search(ln.text):
            ln.drop("credit or copyright")
        elif _WIDGET.search(ln.text):
            ln.drop("video widget caption")
        elif ln.words <= 12 and _CREDIT.search(ln.text):
            ln.drop("credit or copyright")
        elif _CAPTION.search(ln.text) and ln.words <= 80:
            ln.drop("photo caption")
        elif _TEASER.search(ln.text) and ln.words <= 30:
            ln.drop("teaser link to another story")
        elif ln.words <= 8 and not _TERMINAL.search(ln.text) and _AGENCY.search(ln.text):
            ln.drop("credit or copyright")
        elif ln.words <= 40 and _EMAIL.search(ln.text):
            ln.drop("contact or author note")
        elif _SHARE.search(ln.text):
            ln.drop("share buttons")
        elif ln.words <= 15 and _EMBED.search(ln.text):
            ln.drop("embedded media caption")
        elif _is_ui(ln):
            ln.drop("web interface text")
        elif ln.long:
            seen_article = True


def _shape_pass(lines: list[_Line], headline: list[bool]) -> None:
    """Short lines survive only as headlines (above the first paragraph) or as
    headings/datelines directly above a paragraph."""
    paras = [i for i, ln in enumerate(lines) if ln.keep and ln.long]
    if not paras:
        for ln, is_head in zip(lines, headline):
            if not (is_head or _TERMINAL.search(ln.text)):
                ln.drop("short line in a page without article text")
        return
    first, last = paras[0], paras[-1]
    heads = _heads_paragraph(lines)
    for i, ln in enumerate(lines):
        if not ln.keep or ln.long:
            continue
        if i > last:
            ln.drop("short line after the article")
        elif headline[i] and i < first:  # headlines sit above the article
            continue
        elif not heads[i]:
            ln.drop("short line not heading a paragraph")


def _heads_paragraph(lines: list[_Line]) -> list[bool]:
    """Lines directly above a paragraph, or in a run of memo header lines above one."""
    heads = [False] * len(lines)
    for i in range(len(lines) - 2, -1, -1):
        nxt = lines[i + 1]
        if nxt.keep and nxt.long:
            heads[i] = True
        elif _MEMO.search(lines[i].text) and _MEMO.search(nxt.text) and nxt.keep:
            heads[i] = heads[i + 1]
    return heads


def _drift_pass(lines: list[_Line], sims: list[float]) -> None:
    """Cut trailing paragraphs that are off the cluster's topic.

    ``sims``: each paragraph's similarity to its context (the rest of the
    cluster plus the document's own text above it). A trailing paragraph goes
    when it is far less similar than the document's median paragraph, or when
    it is a truncated teaser (no closing punctuation) below the median.
    """
    para = [(ln, s) for ln, s in zip(lines, sims) if ln.keep and ln.long]
    if len(para) < 3:
        return
    ordered = sorted(s for _, s in para[1:])  # the first has no text above it
    median = ordered[len(ordered) // 2]
    if median <= 0:
        return
    for ln, s in reversed(para[1:]):  # never the first paragraph
        truncated = not _TERMINAL.search(ln.text)
        if ln.words < DRIFT_MIN_WORDS and not truncated:
            break
        if s >= DRIFT_RATIO * median and not (truncated and s < median):
            break
        ln.drop("topic drift (unrelated story appended)")


def _context_sims(rows, rest, rest_sq: float) -> list[float]:
    """Cosine of each paragraph row with (rest of cluster) + (own paragraphs above it).

    ``rows``: the paragraphs' L2-normalised sparse TF-IDF rows in document order;
    ``rest``: the rest of the cluster's TF-IDF row, dense, over the rows' columns
    (which may be the document's terms only), and ``rest_sq`` its squared norm over
    every term. The context of paragraph k is ``above_k / |above_k| + rest`` with
    ``above_k`` the sum of rows 0..k-1; its dot products and norm are kept
    incrementally with one dense accumulator over the rows' columns, so time and
    memory are linear in the rows' non-zeros (a dense paragraphs x vocabulary matrix
    took 9 GiB for a 10 MB article).
    """
    import numpy as np

    n = rows.shape[0]
    if n == 0:
        return []
    rows = rows.tocsr()
    acc = np.zeros(rows.shape[1])  # sum of the rows above
    acc_sq = 0.0  # |acc|^2
    acc_rest = 0.0  # acc . rest
    sims = []
    for k in range(n):
        lo, hi = rows.indptr[k], rows.indptr[k + 1]
        idx, val = rows.indices[lo:hi], rows.data[lo:hi]
        row_sq = float(val @ val)
        row_acc = float(val @ acc[idx])
        row_rest = float(val @ rest[idx])
        norm = acc_sq**0.5 if acc_sq > 0 else 0.0
        if norm > 0:
            num = row_acc / norm + row_rest
            ctx_sq = 1.0 + 2.0 * acc_rest / norm + rest_sq
        else:
            num, ctx_sq = row_rest, rest_sq
        den = row_sq**0.5 * max(ctx_sq, 0.0) ** 0.5
        sims.append(float(num / den) if den > 0 else 0.0)
        acc_sq += 2.0 * row_acc + row_sq
        acc_rest += row_rest
        acc[idx] += val
    return sims


def _paragraph_sims(lines: list[_Line], sims: list[float]) -> list[float]:
    """The paragraphs' ``sims`` placed at each line's index (0.0 for other lines)."""
    idx = [i for i, ln in enumerate(lines) if ln.keep and ln.long]
    out = [0.0] * len(lines)
    for i, s in zip(idx, sims):
        out[i] = s
    return out


def classify_cluster(texts: Sequence[str], titles: Sequence[str | None] = ()) -> list[list[LineVerdict]]:
    """Classify every non-blank line of every document of one cluster.

    Linear in the cluster's words: each line is vectorised once, and the rest of
    the cluster as seen from a document is (cluster counts - its own counts), not
    a re-joined string per document.
    """
    cleaning = ClusterCleaning(texts, titles)
    return [cleaning.verdicts(d) for d in range(len(cleaning.texts))]


class ClusterCleaning:
    """One cluster's cleaning, a document at a time.

    What the whole cluster decides is done at once: every line's rules, the
    TF-IDF fit over all lines, the paragraphs' counts. Each document's own
    passes (topic drift, headlines, short lines) run when it is first asked for,
    so a reader of the first documents (``lead``) pays for no other document's.
    The verdicts are those of cleaning every document.
    """

    def __init__(self, texts: Sequence[str], titles: Sequence[str | None] = ()) -> None:
        self.texts = list(texts)
        self._titles = list(titles) + [None] * (len(self.texts) - len(titles))
        self._docs = [_parse(t) for t in self.texts]
        for lines in self._docs:
            _rule_pass(lines)
        self._verdicts: dict[int, list[LineVerdict]] = {}
        self._cleaned: dict[int, str] = {}
        self._vec = None  # no tokens anywhere: the rules alone decide
        self._vocab: set[str] | None = None
        all_lines = [ln.text for lines in self._docs for ln in lines]
        if not all_lines:
            return
        vec = vectorizer(sublinear_tf=True)
        try:
            line_counts = vec.fit_counts(all_lines)
        except ValueError:  # only stop words / no tokens anywhere
            return
        self._vec = vec
        self._counts, self._total = _paragraph_counts(line_counts, self._docs)
        self._weights, self._square_sum = _cluster_weights(self._total, vec.idf)

    def verdicts(self, d: int) -> list[LineVerdict]:
        """Document ``d``'s lines, each kept or dropped with the reason."""
        if d not in self._verdicts:
            lines = self._docs[d]
            if self._vec is not None:
                if self._counts[d].shape[0]:
                    _drift_pass(lines, _paragraph_sims(lines, self._drift_sims(d)))
                analyze, vocab = self._vec.analyzer(), self._headline_vocabulary()
                _shape_pass(lines, [not ln.long and _is_headline(ln.text, analyze, vocab) for ln in lines])
            self._verdicts[d] = [_verdict(ln) for ln in lines]
            self._docs[d] = []  # its lines are decided: free them
        return self._verdicts[d]

    def text(self, d: int) -> str:
        """Document ``d`` with its boilerplate lines blanked (paragraph breaks kept)."""
        if d not in self._cleaned:
            keep = {v.index for v in self.verdicts(d) if v.keep}
            lines = self.texts[d].split("\n")
            self._cleaned[d] = "\n".join(line if i in keep else "" for i, line in enumerate(lines)).strip()
        return self._cleaned[d]

    def _headline_vocabulary(self) -> set[str]:
        """Terms of the cluster's paragraphs (as the rules left them, before any drift pass)."""
        if self._vocab is None:
            self._vocab = {term for term, j in self._vec.vocabulary.items() if self._total[j] > 0}
        return self._vocab

    def _drift_sims(self, d: int) -> list[float]:
        """``_context_sims`` of document ``d``'s paragraphs, over the document's own terms."""
        import numpy as np
        from scipy.sparse import csr_matrix

        rows = self._vec.weigh(self._counts[d])  # = vec.transform(its paragraphs)
        cols = np.unique(rows.indices)
        local = csr_matrix((rows.data, np.searchsorted(cols, rows.indices).astype(rows.indices.dtype),
                            rows.indptr), shape=(rows.shape[0], len(cols)))
        return _context_sims(local, *self._rest(d, cols))

    def _rest(self, d: int, cols):
        """The TF-IDF row of the rest of the cluster as seen from document ``d`` (its
        title and the other documents' paragraphs) at the columns ``cols``, and its
        squared norm.

        That row is ``vec.transform`` of their joined text. Only the weights of ``d``'s
        and its title's terms differ from the whole cluster's, so its norm is the
        cluster's sum of squares corrected for those terms: time is linear in them
        (a row over the vocabulary per document was quadratic in the cluster's size).
        """
        import math

        import numpy as np

        own, title = self._counts[d], self._title_counts(d)
        terms = np.union1d(cols, title.indices)
        counts = self._total[terms]
        np.subtract.at(counts, np.searchsorted(terms, own.indices), own.data)
        np.add.at(counts, np.searchsorted(terms, title.indices), title.data)
        weights = _sublinear_weights(counts, self._vec.idf[terms])
        base = self._weights[terms]
        square_sum = math.fsum([*self._square_sum, *(-base * base), *(weights * weights)])
        if square_sum <= 0:
            return np.zeros(len(cols)), 0.0
        return weights[np.searchsorted(terms, cols)] / np.sqrt(square_sum), 1.0

    def _title_counts(self, d: int):
        """Document ``d``'s title's term counts (a 1 x vocabulary row, maybe empty)."""
        title = self._titles[d]
        return self._vec.counts([title] if title else [""])


def _paragraph_counts(line_counts, docs: list[list[_Line]]):
    """Per document, the term counts of its paragraphs (rows of ``line_counts``, which
    holds every line of every document in order), and their sum over the cluster.

    The rows are those of ``vec.counts`` of the paragraphs' texts (indices sorted).
    """
    import numpy as np

    counts, start = [], 0
    for lines in docs:
        picked = [start + i for i, ln in enumerate(lines) if ln.keep and ln.long]
        rows = line_counts[picked]
        rows.has_sorted_indices = False  # fitted rows come in first-seen order
        rows.sort_indices()
        counts.append(rows)
        start += len(lines)
    # integer-valued floats: exact in any order
    total = np.bincount(np.concatenate([c.indices for c in counts]),
                        np.concatenate([c.data for c in counts]), minlength=line_counts.shape[1])
    return counts, total.astype(np.float64)


def _cluster_weights(total, idf) -> tuple:
    """The cluster's TF-IDF weights (sublinear tf, before L2: ``vec.weigh`` of ``total``)
    and their sum of squares, exactly, as two floats (the sum and what rounding left out)."""
    import math

    weights = _sublinear_weights(total, idf)
    squares = weights * weights
    high = math.fsum(squares)
    return weights, (high, math.fsum([*squares, -high]))


def _sublinear_weights(counts, idf):
    """``(log(count) + 1) * idf`` where a count is positive, else 0 (as ``vec.weigh``, before L2)."""
    import numpy as np

    weights = np.zeros(len(counts))
    held = counts > 0
    weights[held] = (np.log(counts[held]) + 1.0) * idf[held]
    return weights


def _is_headline(text: str, analyze, vocab: set[str]) -> bool:
    """Most content words of the line occur in the cluster's paragraphs."""
    tokens = set(analyze(text))
    if len(tokens) < HEADLINE_MIN_WORDS:
        return False
    return sum(t in vocab for t in tokens) >= HEADLINE_COVERAGE * len(tokens)


def _verdict(ln: _Line) -> LineVerdict:
    return LineVerdict(ln.index, ln.text, ln.keep, ln.reason)


def clean_texts(texts: Sequence[str], titles: Sequence[str | None] = ()) -> list[str]:
    """The documents with boilerplate lines blanked (paragraph breaks kept)."""
    cleaning = ClusterCleaning(texts, titles)
    return [cleaning.text(d) for d in range(len(cleaning.texts))]


def clean_cluster(cluster) -> list[str]:
    """Cleaned text of each document of a :class:`~bench.model.Cluster`."""
    cleaning = cluster_cleaning(cluster)
    return [cleaning.text(d) for d in range(len(cleaning.texts))]


def cluster_cleaning(cluster) -> ClusterCleaning:
    """The cleaning of a :class:`~bench.model.Cluster`, shared by the systems of a run."""
    return _clean_cached(cluster)


@functools.lru_cache(maxsize=128)
def _clean_cached(cluster) -> ClusterCleaning:  # systems of one run share the work
    return ClusterCleaning([d.text for d in cluster.documents], [d.title for d in cluster.documents])
