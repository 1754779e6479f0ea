"""Render runs into an offline HTML report (Jinja2, autoescape on).

Shape: one index page (leaderboard, charts, significance matrices, the first
failures and clusters) and a folder of static pages beside it, named after the
index (``report.html`` -> ``report_files/``): one page per cluster and run, pages
listing all clusters (LIST_PAGE at a time) and all failures. Every page is
self-contained (inline CSS and script, no network) and works from file://; the
index stays small however many clusters the run has.
"""

from __future__ import annotations

import datetime as _dt
import re
from urllib.parse import quote
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from ..errors import naming
from ..stats import DEFAULT_RESAMPLES
from ..stats.bootstrap import METHOD as CI_METHOD
from ..stats.paired import METHOD as TEST_METHOD

TEMPLATES = Path(__file__).parent / "templates"
WHOLE_NAME = 24  # names up to this many characters never break in the report's tables and captions
INDEX_CLUSTERS = 50  # clusters listed on the index page, per run
INDEX_PROBLEMS = 50  # failures and truncations listed on the index page, per run
LIST_PAGE = 500  # clusters per list page
MATRIX_INLINE = 15  # significance matrices of more systems get their own page
# files this module writes into the pages folder (others there are left alone)
OWN_FILE = re.compile(r"run\d+-(c\d+|clusters-\d+|problems|matrices)\.html|across-matrices\.html")


@dataclass
class Report:
    index: str
    folder: str  # the pages folder's name, relative to the index
    pages: dict[str, str] = field(default_factory=dict)  # file name in the folder -> html


def pages_folder(output: Path) -> Path:
    return output.with_name(output.stem + "_files")


def build_report(paths: Sequence[Path], *, index_name: str = "report.html", seed: int | None = None,
                 resamples: int = DEFAULT_RESAMPLES, alpha: float = 0.05, suite_source: str | None = None,
                 suite_format: str | None = None) -> Report:
    from ..results import load_results
    from .drilldown import build_drilldown
    from ..suites.reload import reload_suite
    from .views import build_cross_view, build_run_view

    runs, loaded = [], []
    for i, path in enumerate(paths):
        results = load_results(path)
        loaded.append(results)
        view = build_run_view(i, results, seed, resamples, alpha)
        reloaded = reload_suite(results.manifest, suite_source, suite_format)
        view.suite_message = reloaded.message
        view.drill = build_drilldown(view.anchor, results, reloaded.suite)
        runs.append(view)
    cross = build_cross_view(loaded, seed, resamples, alpha) if len(paths) > 1 else None
    return render_report(runs, cross, index_name)


def _env():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,  # every value is escaped: documents and system output are untrusted
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["breakable"] = breakable
    return env


def breakable(label, always: bool = False) -> str:
    """A long name escaped, with a line-break opportunity wherever the terminal's tables break names
    (``bench.terminal.name_pieces``): "faithfulness-llm:base_url=http://...,model=m" wraps between its
    parameters, not off the page. ``always``: short names too (a leaderboard's column headings)."""
    import markupsafe

    from ..terminal import name_pieces

    label = str(label)
    if len(label) <= WHOLE_NAME and not always:
        return markupsafe.escape(label)  # "kp_recall_faithful" stays whole however narrow its column
    return markupsafe.Markup("<wbr>").join(markupsafe.escape(p) for p in name_pieces(label))


def render_report(runs, cross, index_name: str = "report.html") -> Report:
    env = _env()
    folder = pages_folder(Path(index_name)).name
    generated = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    common = {"generated": generated, "ci_method": CI_METHOD, "test_method": TEST_METHOD}
    report = Report("", folder)
    cluster_page, list_page = env.get_template("cluster.html"), env.get_template("list.html")
    for run in runs:
        clusters = run.drill.clusters
        page_of = {c.anchor: f"{c.anchor}.html" for c in clusters}
        for p in run.drill.problems:
            p["href"] = f"{page_of[p['anchor']]}#{p['anchor']}" if p.get("anchor") in page_of else ""
        for i, c in enumerate(clusters):
            nav = {"prev": page_of[clusters[i - 1].anchor] if i else "",
                   "next": page_of[clusters[i + 1].anchor] if i + 1 < len(clusters) else "",
                   "list": f"{run.anchor}-clusters-{i // LIST_PAGE + 1}.html", "position": i + 1,
                   "total": len(clusters)}
            report.pages[page_of[c.anchor]] = cluster_page.render(run=run, c=c, nav=nav, index=f"../{quote(index_name)}",
                                                                  **common)
        lists = [clusters[k:k + LIST_PAGE] for k in range(0, len(clusters), LIST_PAGE)] or [[]]
        run.list_pages = [f"{run.anchor}-clusters-{k + 1}.html" for k in range(len(lists))]
        for k, chunk in enumerate(lists):
            report.pages[run.list_pages[k]] = list_page.render(
                run=run, clusters=chunk, problems=None, page_number=k, first=k * LIST_PAGE, index_name=quote(index_name),
                **common)
        run.problems_page = f"{run.anchor}-problems.html"
        report.pages[run.problems_page] = list_page.render(run=run, clusters=None, problems=run.drill.problems,
                                                           page_number=0, first=0, index_name=quote(index_name), **common)
    matrix_page = env.get_template("matrices.html")
    for view, name in [*((r, r.anchor) for r in runs), *([(cross, "across")] if cross else [])]:
        if any(len(m.systems) > MATRIX_INLINE for m in view.matrices):
            view.matrices_page = f"{name}-matrices.html"
            title = f"{view.suite} · {view.name}" if view is not cross else "across runs"
            report.pages[view.matrices_page] = matrix_page.render(view=view, title=title, back=name,
                                                                  index_name=quote(index_name), **common)
    report.index = env.get_template("report.html").render(
        runs=runs, cross=cross, folder=quote(folder), index_clusters=INDEX_CLUSTERS, index_problems=INDEX_PROBLEMS,
        **common)
    return report


def write_report(paths: Sequence[Path], output: Path, **kwargs) -> tuple[int, int]:
    """Write the index page and its pages folder; (index bytes, pages written)."""
    from .target import check_target

    folder = pages_folder(output)
    check_target(output, folder)  # before anything is built or written
    report = build_report(paths, index_name=output.name, **kwargs)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():  # pages of an earlier, larger report
        if OWN_FILE.fullmatch(old.name) and old.name not in report.pages:
            old.unlink()
    for name, html in report.pages.items():
        with naming(folder / name):
            (folder / name).write_text(html, encoding="utf-8")
    data = report.index.encode("utf-8")
    with naming(output):
        output.write_bytes(data)
    return len(data), len(report.pages)
