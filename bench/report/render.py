"""Render runs into one self-contained HTML file (Jinja2, autoescape on)."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Sequence

from ..stats import DEFAULT_RESAMPLES
from ..stats.bootstrap import METHOD as CI_METHOD
from ..stats.paired import METHOD as TEST_METHOD

TEMPLATES = Path(__file__).parent / "templates"


def build_report(paths: Sequence[Path], *, seed: int | None = None, resamples: int = DEFAULT_RESAMPLES,
                 alpha: float = 0.05, suite_source: str | None = None, suite_format: str | None = None) -> str:
    from ..results import load_results
    from .drilldown import build_drilldown
    from .suite_reload import reload_suite
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
    return render_html(runs, cross)


def render_html(runs, cross=None) -> str:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,  # every value is escaped: documents and system output are untrusted
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    template = env.get_template("report.html")
    generated = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return template.render(runs=runs, cross=cross, generated=generated, ci_method=CI_METHOD, test_method=TEST_METHOD)
