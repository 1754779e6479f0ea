"""Per-cluster drill-down: documents, references, each system's bullets with
key-point coverage and grounding evidence (when those details exist).

Key-point coverage is read from any metric whose details follow the key-point
schema (keypoints, keypoints-llm; see bench/meta/details.py): per reference key
point, covered or not, its graded score and the summary bullets that state it;
per summary bullet, the key points it supports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..meta.details import keypoint_blocks
from ..model import Suite
from ..results import RunResults, value_name
from ..tables import column_decimals, format_value


@dataclass
class Sentence:
    anchor: str
    text: str


@dataclass
class DocView:
    anchor: str
    outlet: str
    title: str
    url: str  # http(s) only, else ""
    published: str
    sentences: list[Sentence]


@dataclass
class Evidence:
    anchor: str  # "" when the sentence is not found in the documents
    label: str
    text: str


@dataclass
class BulletView:
    text: str
    # key points this bullet states: (chip "KP 2", title, fully covered?)
    keypoints: list[tuple[str, str, bool]] = field(default_factory=list)

    @property
    def covers(self) -> bool:
        return any(full for _, _, full in self.keypoints)
    support: str = ""
    weak: bool = False
    evidence: list[Evidence] = field(default_factory=list)
    # faithfulness: the text cut into plain and flagged segments (text, status, title, evidence anchor,
    # what the sources say in its place)
    segments: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    verdict: str = ""  # worst sentence verdict: supported | unsupported | contradicted
    verdict_title: str = ""


@dataclass
class KeypointRow:
    number: int  # 1-based
    text: str
    covered: bool
    label: str  # yes | no | partly (a judge's partial coverage, not counted as covered)
    score: str
    bullets: list[int]  # 1-based numbers of the summary bullets that state it


@dataclass
class KeypointBlock:
    metric: str
    reference: str
    chosen: bool  # the reference multi_ref=max picked
    summary: str  # "3/5 key points covered"
    rows: list[KeypointRow]


@dataclass
class SystemCluster:
    name: str
    status: str
    error: str
    truncated: str
    bullets: list[BulletView]
    scores: list[tuple[str, str]]
    keypoints: list[KeypointBlock] = field(default_factory=list)
    upper_bound: bool = False


@dataclass
class ClusterView:
    anchor: str
    id: str
    title: str
    documents: list[DocView]
    references: list[tuple[str, list[str]]]
    systems: list[SystemCluster]


@dataclass
class Drilldown:
    clusters: list[ClusterView]
    problems: list[dict[str, str]]


def build_drilldown(prefix: str, results: RunResults, suite: Suite | None) -> Drilldown:
    from ..metrics.faithfulness.source import source_sentences  # the cut the evidence sentences come from

    ids = [c.id for c in suite.clusters] if suite else sorted({c for s in results.systems for c in s.clusters})
    anchors = {cid: f"{prefix}-c{i}" for i, cid in enumerate(ids)}
    problems: list[dict[str, str]] = []
    clusters = []
    for cid in ids:
        cluster = _find(suite, cid)
        docs, where = [], {}
        for d_i, doc in enumerate(cluster.documents if cluster else ()):
            d_anchor = f"{anchors[cid]}-d{d_i}"
            sents = []
            for s_i, text in enumerate(source_sentences(doc.text)):
                sents.append(Sentence(f"{d_anchor}-s{s_i}", text))
                where.setdefault((doc.id, text), sents[-1].anchor)
            where.setdefault((doc.id, None), d_anchor)
            docs.append(DocView(d_anchor, doc.source or f"document {doc.id}", doc.title or "", _safe_url(doc.url),
                                doc.published or "", sents))
        refs = [(r.author, list(r.bullets)) for r in suite.references_for(cid)] if suite else []
        kp_texts = {author: [b.strip() for b in bullets if b.strip()] for author, bullets in refs}
        systems = [_system_cluster(s, cid, results, where, kp_texts) for s in results.systems]
        for sc in systems:
            if sc.status not in ("ok", "not run") or sc.truncated:
                problems.append({"system": sc.name, "cluster": cid, "anchor": anchors[cid],
                                 "kind": sc.status if sc.status != "ok" else "truncated",
                                 "text": sc.error or sc.truncated})
        title = (cluster.title if cluster else None) or (docs[0].title if docs and docs[0].title else "")
        title = title or (refs[0][1][0] if refs and refs[0][1] else "")  # e.g. multi_news: no headlines
        clusters.append(ClusterView(anchors[cid], cid, title, docs, refs, systems))
    for s in results.systems:  # score failures
        for metric, per in s.score_failures.items():
            for cid, err in per.items():
                problems.append({"system": s.label, "cluster": cid, "anchor": anchors.get(cid, ""),
                                 "kind": f"{metric} failed", "text": err})
    return Drilldown(clusters, problems)


def _find(suite: Suite | None, cid: str):
    if suite is None:
        return None
    try:
        return suite.cluster(cid)
    except KeyError:
        return None


def _safe_url(url: str | None) -> str:
    return url if url and url.lower().startswith(("http://", "https://")) else ""


def _system_cluster(s, cid: str, results: RunResults, where: dict, kp_texts: dict) -> SystemCluster:
    sc = _system_cluster_body(s, cid, results, where, kp_texts)
    sc.upper_bound = s.upper_bound
    return sc


def _system_cluster_body(s, cid: str, results: RunResults, where: dict, kp_texts: dict) -> SystemCluster:
    rec = s.clusters.get(cid)
    if rec is None:
        return SystemCluster(s.label, "skipped" if s.status == "skipped" else "not run", s.reason or "", "", [], [])
    if rec["status"] != "ok":
        return SystemCluster(s.label, "failed", rec.get("error", ""), "", [], [])
    truncated = ""
    if rec.get("truncated"):
        truncated = f"cut to the budget (was {rec.get('words_before', '?')} words, {rec.get('bullets_before', '?')} bullets)"
    bullets = [BulletView(b) for b in rec.get("bullets", [])]
    scores = []
    for m in results.metrics:
        for key in m.keys:
            v = s.values.get(m.label, {}).get(key, {}).get(cid)
            if v is not None:
                # named as in the tables (LABEL/key where another metric has the key), formatted as in the terminal
                scores.append((value_name(results.metrics, m.label, key),
                               format_value(v, m.percent, column_decimals([v], m.percent))))
    sc = SystemCluster(s.label, "ok", "", truncated, bullets, scores)
    schema_metrics = [m for m, per in s.details.items() if keypoint_blocks(per.get(cid))]
    for metric, per in s.details.items():
        details = per.get(cid)
        if isinstance(details, dict):
            _keypoints(sc, metric if len(schema_metrics) > 1 else "", metric, details, kp_texts)
            _grounding(sc, details, where)
    for per in s.details.values():  # after grounding: its evidence chips are not repeated
        if isinstance(per.get(cid), dict):
            _faithfulness(sc, per[cid], where)
    return sc


def _keypoints(sc: SystemCluster, prefix: str, metric: str, details: dict[str, Any],
               kp_texts: dict[str, list[str]]) -> None:
    """Coverage per key point and per bullet; bullet indices count the non-empty, stripped bullets."""
    blocks = keypoint_blocks(details)
    if not blocks:
        return
    best = details.get("best_reference")
    live = [b for b in sc.bullets if b.text.strip()]
    for author in sorted(blocks, key=lambda a: a != best):
        texts = kp_texts.get(author, [])
        rows = []
        for j, kp in enumerate(blocks[author]):
            text = str(kp.get("text") or (texts[j] if j < len(texts) else ""))
            stated = sorted({i for i in kp.get("bullets") or [] if isinstance(i, int) and 0 <= i < len(live)})
            score = kp.get("score")
            shown = f"{score:.2f}" if isinstance(score, (int, float)) and not isinstance(score, bool) else ""
            covered = bool(kp["covered"])
            label = "yes" if covered else ("partly" if kp.get("label") == "partly" else
                                           "no label" if kp["covered"] is None else "no")
            if covered and kp.get("faithful") is False:
                label = "yes, by unfaithful bullets only"
            rows.append(KeypointRow(j + 1, text, covered, label, shown, [i + 1 for i in stated]))
            if len(blocks) > 1 and best is not None and author != best:
                continue  # bullets carry the chosen reference's key points only
            chip = " ".join(x for x in (prefix, author if len(blocks) > 1 else "", f"KP {j + 1}") if x)
            for i in stated:
                live[i].keypoints.append((chip if covered else f"{chip} ({label})", f"{chip}: {text}", covered))
        covered = sum(r.covered for r in rows)
        sc.keypoints.append(KeypointBlock(metric, author, author == best,
                                          f"{covered}/{len(rows)} key points covered", rows))


def _grounding(sc: SystemCluster, details: dict[str, Any], where: dict) -> None:
    items = details.get("bullets")
    if not isinstance(items, list) or not all(isinstance(b, dict) and "evidence" in b for b in items):
        return
    by_text = {}
    for b in sc.bullets:
        by_text.setdefault(b.text, b)
    for item in items:
        bullet = by_text.get(item.get("bullet"))
        if bullet is None:
            continue
        support = item.get("support")
        bullet.support = f"{support:.0%}" if isinstance(support, (int, float)) else ""
        bullet.weak = bool(item.get("weak"))
        for n, ev in enumerate(item.get("evidence") or [], start=1):
            doc, text = str(ev.get("document", "")), ev.get("sentence", "")
            anchor = where.get((doc, text)) or where.get((doc, None), "")
            bullet.evidence.append(Evidence(anchor, f"{ev.get('outlet') or doc} ¶{n}", str(text)))


_WORST = {"supported": 0, "unsupported": 1, "contradicted": 2}


def _faithfulness(sc: SystemCluster, details: dict[str, Any], where: dict) -> None:
    """Per bullet: the verdict of its worst sentence and its flagged spans, each linked to the evidence."""
    from .faith_spans import segments

    sentences = details.get("sentences")
    if not isinstance(sentences, list) or not all(isinstance(x, dict) and "verdict" in x and "bullet" in x
                                                   for x in sentences):
        return
    live = [b for b in sc.bullets if b.text.strip()]
    by_bullet: dict[int, list[dict[str, Any]]] = {}
    for x in sentences:
        if isinstance(x["bullet"], int) and 0 <= x["bullet"] < len(live) and x["verdict"] in _WORST:
            by_bullet.setdefault(x["bullet"], []).append(x)
    for i, judged in by_bullet.items():
        bullet = live[i]
        worst = max(judged, key=lambda x: _WORST[x["verdict"]])
        if _WORST[worst["verdict"]] >= _WORST.get(bullet.verdict, -1):
            bullet.verdict = worst["verdict"]
            reason = worst.get("error") or worst.get("reason") or ""
            score, p = worst.get("score"), worst.get("p_faithful")  # faithfulness; faithfulness-llm
            graded = (f"score {score:.2f}" if isinstance(score, (int, float)) else
                      f"P(no error) {p:.2f}" if isinstance(p, (int, float)) else "")
            bullet.verdict_title = " · ".join(str(t) for t in (worst["verdict"], graded, reason) if t)
        if bullet.segments:
            continue  # one metric's spans per bullet
        anchor = ""
        for x in judged:
            for ev in x.get("evidence") or []:
                anchor = anchor or where.get((str(ev.get("document", "")), ev.get("sentence"))) or ""
        segs = segments(bullet.text, judged)
        if any(seg.status for seg in segs):
            bullet.segments = [(seg.text, seg.status, seg.title, anchor if seg.status else "", seg.says)
                               for seg in segs]
        if not bullet.evidence:
            for n, ev in enumerate((ev for x in judged for ev in x.get("evidence") or []), start=1):
                doc, text = str(ev.get("document", "")), ev.get("sentence", "")
                a = where.get((doc, text)) or where.get((doc, None), "")
                bullet.evidence.append(Evidence(a, f"{ev.get('outlet') or doc} ¶{n}", str(text)))
