"""Suite-level checks, each failing with one message naming the culprit."""

from __future__ import annotations

from collections import Counter

from ..errors import SuiteError
from ..model import Suite


def validate_suite(suite: Suite, where: str) -> None:
    if not suite.clusters:
        raise SuiteError("suite has no clusters", where=where)
    counts = Counter(c.id for c in suite.clusters)
    dupes = sorted(cid for cid, n in counts.items() if n > 1)
    if dupes:
        raise SuiteError(f"duplicate cluster id {dupes[0]!r}", where=where)
    ids = set(counts)
    for ref in suite.references:
        if ref.cluster_id not in ids:
            raise SuiteError(f"reference by {ref.author!r} is for unknown cluster {ref.cluster_id!r}", where=where)
        if not ref.bullets:
            raise SuiteError(f"reference by {ref.author!r} for cluster {ref.cluster_id!r} has no bullets", where=where)
        for k, bullet in enumerate(ref.bullets):
            if not bullet:
                raise SuiteError(f"reference by {ref.author!r} for cluster {ref.cluster_id!r}: bullet {k + 1} is empty"
                                 " (no visible text)", where=where)
    with_refs = {r.cluster_id for r in suite.references}
    for cluster in suite.clusters:
        if cluster.id not in with_refs:
            raise SuiteError(f"cluster {cluster.id!r} has no reference", where=where)
        if not cluster.documents:
            raise SuiteError(f"cluster {cluster.id!r} has no documents", where=where)
        doc_ids = Counter(d.id for d in cluster.documents)
        for did, n in doc_ids.items():
            if n > 1:
                raise SuiteError(f"cluster {cluster.id!r} has duplicate document id {did!r}", where=where)
