"""sumbench's metrics against SummEval's expert ratings (dev half), beside the published rows.

    python benchmarks/summeval_human.py [--data ../shared/data/summeval_dev] [--out results/meta/summeval]
        [--articles N] [--resamples N] [--rescore] [--inputs-only]

1. writes into --out a generic suite with SummEval's 11 references per article, one column each
   (``highlights``: the highlights' sentences, which are also its key points; ``crowd1``..``crowd10``:
   the crowd-written summaries), an outputs file (every summary as given) and a judgments file (the
   experts' mean coherence, consistency, fluency and relevance of each summary); with --inputs-only,
   stops there and prints the two commands;
2. runs ``sumbench score`` with the offline metrics and ``sumbench meta``: rouge, bertscore and
   keypoints against the highlights, rouge and keypoints against all 11 references (mean over them),
   faithfulness and grounding (against the article); the run is reused while suite, outputs and
   metrics are the same (--rescore after changing a metric);
3. prints, per metric value and dimension, the summary-level Spearman rho (per article, averaged)
   and the system-level Kendall tau, one section per choice of references, beside the published rows
   of the data's README;
4. checks that meta's figures equal SummEval's protocol computed directly on the run's values
   (benchmarks/_summeval.py): per-article rho and tau, sample-level rho, system tau.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.plugins.params import split_spec  # noqa: E402
from benchmarks._summeval import DATA, DIMENSIONS, figures, load  # noqa: E402

#: the table's sections: what the metrics score against, and their specs (``as=`` keeps value names short)
SECTIONS = {
    "the highlights": ("rouge:refs=highlights,as=rouge-hl", "bertscore:refs=highlights,as=bertscore-hl",
                       "keypoints:refs=highlights,as=keypoints-hl"),
    "all 11 references (mean over them)": ("rouge:multi_ref=mean,as=rouge-11refs", "keypoints:as=keypoints-11refs"),
    "the article (no reference)": ("faithfulness", "grounding"),
}
METRICS = tuple(spec for specs in SECTIONS.values() for spec in specs)
# summary-level Spearman rho on all 100 articles (G-Eval, Liu et al. 2023, Table 1), in DIMENSIONS order;
# system-level Kendall tau where published (UniEval's reproduction, maszhongming/UniEval reproduce/README.md)
PUBLISHED = {
    "ROUGE-1": ((0.167, 0.160, 0.115, 0.326), None),
    "ROUGE-2": ((0.184, 0.187, 0.159, 0.290), None),
    "BERTScore": ((0.284, 0.110, 0.193, 0.312), None),
    "BARTScore": ((0.448, 0.382, 0.356, 0.356), None),
    "UniEval": ((0.575, 0.446, 0.449, 0.426), (0.68, 0.75, 0.66, 0.67)),
    "G-Eval (GPT-4)": ((0.582, 0.507, 0.506, 0.547), None),
}
NAME = 26  # columns for a value's name: 26 + 4 x 13 = 78


def reference_columns(data) -> tuple[str, ...]:
    """The references' authors, one suite column each: the same for every article (the suite needs them)."""
    columns = tuple(r.author for r in data.items[0].references)
    for item in data.items:
        if tuple(r.author for r in item.references) != columns:
            sys.exit(f"article {item.cluster.id}: references {', '.join(r.author for r in item.references)}; "
                     f"the others have {', '.join(columns)}")
    return columns


def write_inputs(data, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    reference_columns(data)
    suite, outputs, judgments = {}, [], []
    for i, item in enumerate(data.items):
        c = item.cluster
        suite.setdefault(c.id, {"id": c.id, "title": c.title or "", "documents": [d.text for d in c.documents],
                                **{r.author: list(r.bullets) for r in item.references}})
        outputs.append({"cluster": c.id, "system": item.system, "text": data.texts[i]})
        judgments.append({"cluster": c.id, "system": item.system, **{d: data.human[d][i] for d in DIMENSIONS}})
    for name, rows in (("suite", suite.values()), ("outputs", outputs), ("judgments", judgments)):
        with (out / f"{name}.jsonl").open("w", encoding="utf-8") as f:
            f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def score_args(out: Path, data) -> list[str]:
    """``sumbench score``'s arguments: the suite with every reference column, the outputs, the metrics."""
    return ["-q", "--suite", str(out / "suite.jsonl"), "--format", "generic",
            "--columns", "reference=" + "+".join(reference_columns(data)), "--outputs", str(out / "outputs.jsonl"),
            "--out", str(out / "run"), *[x for m in METRICS for x in ("--metric", m)]]


def sumbench(*args: str) -> str:
    proc = subprocess.run([sys.executable, "-m", "bench", *args], capture_output=True, text=True)
    if proc.returncode not in (0, 3):  # 3: some items failed (recorded, left out by meta and counted)
        sys.exit(f"sumbench {' '.join(args[:2])} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return proc.stdout


def score(out: Path, data, rescore: bool) -> None:
    args = score_args(out, data)
    stamp = hashlib.sha256(b"".join((out / f).read_bytes() for f in ("suite.jsonl", "outputs.jsonl"))
                           + " ".join(args).encode()).hexdigest()
    run, stamp_file = out / "run", out / "run.inputs"
    if not rescore and (run / "manifest.json").is_file() and stamp_file.is_file() and stamp_file.read_text() == stamp:
        print(f"(reusing {run}: same suite, outputs and metrics)")
        return
    shutil.rmtree(run, ignore_errors=True)
    sumbench("score", *args)
    stamp_file.write_text(stamp)


def cross_check(meta: dict, data, run: Path) -> tuple[float, int]:
    """Largest difference between meta's figures and SummEval's protocol computed directly, and how many."""
    import warnings

    from bench.results import load_results

    res = load_results(run)
    by_label = {s.label: s for s in res.systems}
    clusters = [it.cluster.id for it in data.items]
    systems = [it.system for it in data.items]
    worst, n = 0.0, 0
    for v in meta["values"]:
        raw = [by_label[it.system].values.get(v["metric"], {}).get(v["key"], {}).get(it.cluster.id)
               for it in data.items]
        values = [(-x if v["negated"] else x) if isinstance(x, (int, float)) else math.nan for x in raw]
        with warnings.catch_warnings():  # scipy on a constant value (nan, as meta's "—")
            warnings.simplefilter("ignore")
            f = figures(values, data.human[v["dimension"]], clusters, systems)
        for ours, theirs in ((v["summary_rho"], f["rho"]), (v["summary_tau"], f["tau"]),
                             (v["sample_rho"], f["sample_rho"]), (v["system_tau"], f["system_tau"])):
            if ours["value"] is None or not math.isfinite(theirs):
                if (ours["value"] is None) != (not math.isfinite(theirs)):
                    return math.inf, n
                continue
            worst, n = max(worst, abs(ours["value"] - theirs)), n + 1
        if v["clusters_skipped"] != f["skipped"]:
            return math.inf, n
    return worst, n


def _cells(pairs) -> str:
    return "".join(f"{_f(r, 3):>6s} {_f(t, 2):>5s} " for r, t in pairs)


def _f(x, digits: int) -> str:
    return "—" if x is None or not math.isfinite(x) else f"{x:.{digits}f}"


def _short(name: str) -> str:
    return name if len(name) <= NAME else name[:NAME // 2 - 1] + "…" + name[-(NAME - NAME // 2):]


def _label(spec: str) -> str:
    """The label a metric spec gets in the run: its ``as=`` name, else the metric's name (no parameters here)."""
    name, params = split_spec(spec)
    return params.get("as", name)


def table(meta: dict) -> list[str]:
    section_of = {_label(spec): title for title, specs in SECTIONS.items() for spec in specs}
    rows: dict[str, dict[str, dict[str, tuple]]] = {title: {} for title in SECTIONS}
    few: dict[str, str] = {}  # values whose rho stands on fewer than half the articles
    for v in meta["values"]:
        section = rows[section_of[v["metric"]]]
        key = ("−" if v["negated"] else "") + v["key"]
        name = ("−" if v["negated"] else "") + v["name"]
        if v["clusters"] < v["clusters_skipped"]:
            few[name] = f"{name} {v['clusters']}/{v['clusters'] + v['clusters_skipped']}"
            key += "*"
        section.setdefault(key, {})[v["dimension"]] = (v["summary_rho"]["value"], v["system_tau"]["value"])
    lines = [" " * NAME + "".join(f" {d:<12s}" for d in DIMENSIONS),
             f"{'value':{NAME}s}" + " " + "   rho   tau " * len(DIMENSIONS)]
    for title, section in rows.items():
        lines += [f"against {title}:"] if section else []
        for key, per in section.items():
            lines.append(f"{_short(key):{NAME}s} " + _cells(per.get(d, (None, None)) for d in DIMENSIONS))
    if few:
        lines += textwrap.wrap("* rho over fewer than half the articles (the value is constant within the others): "
                               + ", ".join(few.values()), 80)
    halves = {r["dimension"]: r["split_half_tau"]["value"] for r in meta.get("reliability", [])}
    if halves:  # what a system tau can be held against
        lines.append("the experts themselves (system tau: one half of the articles against the other):")
        lines.append(f"{'split-half':{NAME}s} " + _cells((None, halves.get(d)) for d in DIMENSIONS))
    lines.append("published (all 100 articles; against the highlights):")
    for name, (rho, tau) in PUBLISHED.items():
        lines.append(f"{name:{NAME}s} " + _cells(zip(rho, tau or (None,) * len(rho))))
    return [line.rstrip() for line in lines]


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--out", type=Path, default=Path("results/meta/summeval"))
    ap.add_argument("--articles", type=int, default=None, metavar="N", help="only the first N articles (quick run)")
    ap.add_argument("--resamples", type=int, default=1000, metavar="N", help="bootstrap resamples for meta")
    ap.add_argument("--rescore", action="store_true", help="score again even when the inputs are unchanged")
    ap.add_argument("--inputs-only", action="store_true", help="write the inputs, print the commands, stop")
    args = ap.parse_args(argv)
    data = load(args.data, args.articles)
    out = args.out
    write_inputs(data, out)
    if args.inputs_only:
        print(f"{out}: {len({it.cluster.id for it in data.items})} articles, {len(data.items)} summaries")
        print("sumbench score " + " ".join(score_args(out, data)))
        print(f"sumbench meta {out / 'run'} --judgments {out / 'judgments.jsonl'}")
        return 0
    score(out, data, args.rescore)
    meta = json.loads(sumbench("meta", str(out / "run"), "--judgments", str(out / "judgments.jsonl"),
                               "--format", "json", "--resamples", str(args.resamples)))
    print(f"SummEval dev half ({args.data}):")
    print("\n".join(textwrap.wrap(
        f"{meta['clusters']} articles, {meta['summaries']} summaries, {meta['systems']} systems; references: the "
        "highlights (also the key points) or all 11 (the highlights and 10 crowd summaries), as each section "
        "says; rho: Spearman per article, averaged; tau: Kendall over the systems' means", 80)))
    print("\n".join(table(meta)))
    worst, n = cross_check(meta, data, out / "run")
    print(f"cross-check with _summeval.figures(): {n} figures, largest difference {worst:.1e}")
    print(f"full report:\n  sumbench meta {out / 'run'} \\\n    --judgments {out / 'judgments.jsonl'}")
    return 0 if worst < 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
