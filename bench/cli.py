"""The ``sumbench`` command line: parse, call the library, render."""

from __future__ import annotations

import functools
import logging
import math
import os
import signal
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Callable, Optional, TypeVar

import typer

from . import cli_support as support
from .cli_support import EXIT_ERROR, EXIT_USAGE, DataFormat, ExecutorKind
from .compare.formats import CompareFormat
from .errors import SumbenchError, UsageError
from .meta.formats import MetaFormat

EXIT_CODES = """Exit codes: 0 done; 1 bad input, configuration or run folder (one line says which file and
what to do); 2 bad command line; 3 `run`/`score` finished but a system or metric produced nothing
at all (the last line says why); 4 internal error (a bug: SUMBENCH_DEBUG=1 shows the traceback);
130 interrupted by Ctrl-C, 143 by SIGTERM (work done so far is kept)."""

# Plain (click) help: flags are shown without a value placeholder and it reads at 80 columns.
app = typer.Typer(
    name="sumbench",
    help="Benchmark news summarizers against hand-written key-point references.\n\n" + EXIT_CODES,
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

#: bootstrap arrays are resamples x clusters: keep them bounded
MAX_RESAMPLES = 100_000
EXIT_INTERNAL = 4
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143  # 128 + SIGTERM, as a shell reports a process it ended


_sigterm: list[int] = []  # the SIGTERMs received (the interrupt itself may be re-raised by a library, e.g. Ray)


def _on_sigterm(signum, frame) -> None:
    """SIGTERM (`kill`, a scheduler's or a container's stop): stop as on Ctrl-C, work kept."""
    _sigterm.append(signum)
    raise KeyboardInterrupt

F = TypeVar("F", bound=Callable)


class ListWhat(str, Enum):
    systems = "systems"
    metrics = "metrics"
    suites = "suites"


def _boundary(func: F) -> F:
    """Turn domain errors into one readable line and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except UsageError as exc:  # a bad command line, as click's own (exit 2)
            support.fail("error: " + " ".join(str(exc).split("\n")), EXIT_USAGE)
        except SumbenchError as exc:
            support.fail("error: " + " ".join(str(exc).split("\n")), EXIT_ERROR)  # always one line
        except SystemExit as exc:  # not typer's Exit: sys.exit() in code the command called (a plugin ...)
            support.fail(f"internal error: sys.exit({exc.code!r}) was called while the command ran (by a plugin, "
                         "or a bug in sumbench); what was done before it is saved", EXIT_INTERNAL)
        except KeyboardInterrupt:
            support.exit_at_once_on_next_stop(EXIT_TERMINATED if _sigterm else EXIT_INTERRUPTED)
            if _sigterm:
                support.fail("terminated (SIGTERM): work done so far is saved; run the same command to resume",
                             EXIT_TERMINATED)
            support.fail("interrupted: work done so far is saved; run the same command to resume", EXIT_INTERRUPTED)
        except OSError as exc:  # a file or folder the command could not use
            where = f"{exc.filename}: " if exc.filename else ""
            support.fail(f"error: {where}{exc.strerror or exc}", EXIT_ERROR)
        except Exception as exc:
            if os.environ.get("SUMBENCH_DEBUG"):
                raise
            message = " ".join(str(exc).split())[:300]
            support.fail(f"internal error: {type(exc).__name__}: {message} (a bug in sumbench or a plugin; "
                  "SUMBENCH_DEBUG=1 shows the traceback)", EXIT_INTERNAL)

    return wrapper  # type: ignore[return-value]




def _finite(value: float | None) -> float | None:
    if value is not None and not math.isfinite(value):
        raise typer.BadParameter("must be a finite number")
    return value




# Options shared by `run` and `score` (one help text each).
SuiteOpt = Annotated[Optional[str], typer.Option("--suite", "-s", metavar="SUITE", help="Bundled suite name, suite folder, data file (.jsonl/.json/.parquet/.csv) or hf:NAME[:split].")]
FormatOpt = Annotated[Optional[DataFormat], typer.Option("--format", metavar="multi_news|generic", help="Schema of a data-file suite.")]
ColumnsOpt = Annotated[Optional[str], typer.Option(metavar="ROLE=COLUMN,...", help="Column mapping for --format generic, e.g. documents=articles,reference=highlights.")]
SplitOpt = Annotated[Optional[str], typer.Option(metavar="SPLIT", help="Split for hf: suites (default test).")]
MetricOpt = Annotated[Optional[list[str]], typer.Option("--metric", metavar="SPEC", help="Metric spec NAME[:key=value,...]; repeatable.")]
WordsOpt = Annotated[Optional[int], typer.Option(min=1, metavar="N", help="Word budget applied to every system's output.")]
BulletsOpt = Annotated[Optional[int], typer.Option(min=1, metavar="N", help="Bullet budget applied to every system's output.")]
PluginsOpt = Annotated[Optional[list[Path]], typer.Option("--plugins", metavar="PATH", help="Extra plugin .py file or folder; repeatable.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars (scripts, CI).")]
TableOpt = Annotated[str, typer.Option("--table", metavar="FORMAT", help="Format of the closing table: text|markdown|csv|json.")]
WorkersOpt = Annotated[Optional[int], typer.Option(
    min=1, max=1024, metavar="N", envvar="SUMBENCH_WORKERS",
    help="Worker processes (Ray: actors) running systems and metrics over clusters; default: the machine's cores "
         "(Ray: the cluster's CPUs); 1: all in this process. LLM systems keep their own request concurrency.")]
ExecutorOpt = Annotated[ExecutorKind, typer.Option("--executor", metavar="processes|ray|local", help="Where the work runs: worker processes on this machine, a Ray cluster (pip install 'sumbench[ray]'), or this process only.")]
RayAddressOpt = Annotated[Optional[str], typer.Option("--ray-address", metavar="ADDRESS", help="Existing Ray cluster for --executor ray (auto, HOST:6379 or ray://HOST:10001); default: start a local Ray instance.")]










@app.command()
@_boundary
def run(
    *,
    suite: SuiteOpt = None,
    fmt: FormatOpt = None,
    columns: ColumnsOpt = None,
    split: SplitOpt = None,
    system: Annotated[Optional[list[str]], typer.Option("--system", metavar="SPEC", help="System spec NAME[:key=value,...]; repeatable.")] = None,
    metric: MetricOpt = None,
    words: WordsOpt = None,
    bullets: BulletsOpt = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", metavar="DIR", help="Run directory (default: results/<suite>-<config hash>).")] = None,
    join: Annotated[bool, typer.Option("--join", help="Add these systems to the newest run in results/ of the same suite, budget and --limit (its systems are reused, not recomputed; its metrics apply unless --metric is given).")] = False,
    limit: Annotated[Optional[int], typer.Option(min=1, metavar="N", help="Only the first N clusters.")] = None,
    plugins: PluginsOpt = None,
    seed: Annotated[int, typer.Option(min=0, metavar="N", help="Seed for resampling statistics.")] = 0,
    refresh: Annotated[bool, typer.Option(help="Recompute summaries and bypass response caches.")] = False,
    retry_failed: Annotated[bool, typer.Option(help="Retry what failed in an earlier attempt (not what a deterministic system or metric "
                     "returned as unusable: it would return the same; --refresh redoes everything).")] = True,
    workers: WorkersOpt = None,
    executor: ExecutorOpt = ExecutorKind.processes,
    ray_address: RayAddressOpt = None,
    cache_dir: Annotated[Optional[Path], typer.Option(metavar="DIR", help="Response cache folder shared across runs (default: <run dir>/cache).")] = None,
    quiet: QuietOpt = False,
    table_format: TableOpt = "text",
) -> None:
    """Run systems over a suite, score them, and print the results table."""
    from .runner.run import RunRequest, run_dir_for

    fmt_table = support.table_format(table_format)
    execution = support.execution(executor, workers, ray_address)
    support.check_cache_dir(cache_dir)
    with support.early_lock(out) as lock:
        loaded, registry, metrics, budget, suite_args = support.setup(suite, fmt, columns, split, plugins, metric, words,
                                                               bullets, limit, systems_given=bool(system))
        system_specs = system or list(loaded.defaults.get("systems", support.DEFAULT_SYSTEMS))
        systems = support.unique([support.create(registry.systems, s) for s in system_specs], "system")
        if join:
            out, metrics, *_ = support.join(loaded, budget, limit, out, registry, metrics if metric else None)
        # full labels (endpoints included): a command names the folder it named before labels left them out
        config = {"systems": sorted(s.full_label for s in systems), "limit": limit}
        request = RunRequest(
            suite=loaded, systems=systems, metrics=metrics, budget=budget,
            out=out or run_dir_for(Path("results"), loaded, metrics, budget, config), seed=seed,
            refresh=refresh, retry_failed=retry_failed, execution=execution, plugin_paths=support.plugin_paths(plugins),
            cache_dir=cache_dir, command=sys.argv[1:], limit=limit, suite_args=suite_args,
        )
        support.execute_and_print(request, quiet, fmt_table, lock)


@app.command()
@_boundary
def score(
    *,
    outputs: Annotated[Path, typer.Option("--outputs", metavar="FILE", help="JSONL file (input): one {cluster, system, bullets|text} object per line.")],
    suite: SuiteOpt = None,
    fmt: FormatOpt = None,
    columns: ColumnsOpt = None,
    split: SplitOpt = None,
    metric: MetricOpt = None,
    words: WordsOpt = None,
    bullets: BulletsOpt = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", metavar="DIR", help="Run directory; an existing one adds these systems to its table.")] = None,
    join: Annotated[bool, typer.Option("--join", help="Add these systems to the newest run in results/ of the same suite and budget (its systems are reused, not recomputed; its metrics apply unless --metric is given).")] = False,
    limit: Annotated[Optional[int], typer.Option(min=1, metavar="N", help="Only the first N clusters (default: with --join or an existing --out, the run's own).")] = None,
    plugins: PluginsOpt = None,
    workers: WorkersOpt = None,
    executor: ExecutorOpt = ExecutorKind.processes,
    ray_address: RayAddressOpt = None,
    quiet: QuietOpt = False,
    table_format: TableOpt = "text",
) -> None:
    """Score summaries made outside the harness (a JSONL outputs file) into a run directory."""
    from .runner.imported import imported_systems, read_outputs
    from .runner.run import RunRequest, run_dir_for
    from .runner.store import read_manifest
    from .suites.cache import file_sha256

    fmt_table = support.table_format(table_format)
    execution = support.execution(executor, workers, ray_address)
    with support.early_lock(out) as lock:
        whole, registry, metrics, budget, suite_args = support.setup(suite, fmt, columns, split, plugins, metric, words,
                                                              bullets)
        loaded = whole.limited(limit)
        if join:
            out, metrics, loaded, budget, limit = support.join(
                whole if limit is None else loaded, budget, limit, out, registry, metrics if metric else None,
                adopt_budget=words is None and bullets is None, any_limit=limit is None)
        elif out is not None:
            loaded, budget, limit = support.into_run(out, loaded, budget, words, bullets, limit)
        lines: dict = {}
        # read once (a pipe too); a bad file stops here; clusters past a --limit are read, not run
        records = read_outputs(outputs, whole, lines)
        if out is None:
            digest = file_sha256(outputs) if outputs.is_file() else str(outputs)
            out = run_dir_for(Path("results"), loaded, metrics, budget, {"outputs": digest}, tag="outputs")
        manifest = read_manifest(out) if out.exists() else None
        taken = {k: v.get("class", "") for k, v in (manifest or {}).get("systems", {}).items()}
        request = RunRequest(
            suite=loaded, systems=imported_systems(outputs, records, lines, taken, out), metrics=metrics, budget=budget,
            out=out,
            command=sys.argv[1:], suite_args=suite_args, execution=execution, plugin_paths=support.plugin_paths(plugins),
            limit=limit,
        )
        support.execute_and_print(request, quiet, fmt_table, lock)










@app.command()
@_boundary
def table(
    run_dir: Annotated[Path, typer.Argument(help="A run directory (see `sumbench run`).")],
    *,
    fmt: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help="text|markdown|csv|json")] = "text",
    all_values: Annotated[bool, typer.Option("--all", help="Every value (precision, recall …), not just headline ones.")] = False,
    seed: Annotated[Optional[int], typer.Option(min=0, metavar="N", help="Bootstrap seed (default: the run's seed).")] = None,
    resamples: Annotated[int, typer.Option(min=1, max=MAX_RESAMPLES, metavar="N", help="Bootstrap resamples for the 95% intervals.")] = 1000,
    layout: Annotated[str, typer.Option(metavar="LAYOUT", help="text/markdown: wide (a row per system) or long (a row per system and metric); csv/json are always long.")] = "wide",
) -> None:
    """Print the results table of a run, with 95% bootstrap intervals."""
    from .results import load_results
    from .runner.store import run_in_progress

    support.list_runs_inside(run_dir)

    results = load_results(run_dir)
    live = run_in_progress(run_dir)
    # "running" without the lock: killed mid-run; "interrupted": stopped with Ctrl-C
    if live or results.manifest.get("status") in ("running", "interrupted"):
        state = "run in progress" if live else "run interrupted (rerun its command to finish it)"
        if not any(s.clusters for s in results.systems):
            support.fail(f"{run_dir}: {state}: no summaries yet", EXIT_ERROR)
        typer.secho(f"{run_dir}: {state}: the table below is partial", err=True)
    typer.echo(support.render_table(run_dir, support.table_format(fmt), all_keys=all_values, seed=seed, resamples=resamples,
                             layout=layout, results=results), nl=False)


@app.command("list")
@_boundary
def list_(
    what: Annotated[ListWhat, typer.Argument(help="systems, metrics or suites")],
    *,
    plugins: Annotated[Optional[list[Path]], typer.Option("--plugins", metavar="PATH", help="Extra plugin .py file or folder.")] = None,
) -> None:
    """Show the available systems, metrics or bundled suites."""
    from .listing import list_plugins, list_suites

    text = list_suites() if what is ListWhat.suites else list_plugins(what.value, plugins or ())
    typer.echo(text, nl=False)


# --- issue 6: honest comparisons (logic in bench/compare and bench/report) ---


@app.command()
@_boundary
def compare(
    runs: Annotated[list[Path], typer.Argument(help="One run directory (systems within it) or several (same systems across runs).")],
    *,
    system: Annotated[Optional[list[str]], typer.Option("--system", metavar="LABEL", help="System label to compare; repeatable (default: all).")] = None,
    metric: Annotated[Optional[list[str]], typer.Option("--metric", metavar="VALUE", help="Metric value, e.g. rouge1 or bertscore/f1; repeatable (default: headline values).")] = None,
    fmt: Annotated[CompareFormat, typer.Option("--format", "-f", help="Output format.")] = CompareFormat.text,
    seed: Annotated[Optional[int], typer.Option(min=0, metavar="N", help="Resampling seed (default: the first run's seed).")] = None,
    resamples: Annotated[int, typer.Option(min=1, max=MAX_RESAMPLES, metavar="N", help="Bootstrap / permutation resamples.")] = 1000,
    alpha: Annotated[float, typer.Option(min=0.0, max=1.0, metavar="P", callback=_finite, help="Significance level after Holm correction.")] = 0.05,
) -> None:
    """Paired significance tests between systems (Holm-corrected), with groups of indistinguishable systems."""
    from .compare.build import compare_runs
    from .compare.render import render_comparison

    comp = compare_runs(runs, system or (), metric or (), seed=seed, resamples=resamples, alpha=alpha)
    typer.echo(render_comparison(comp, fmt), nl=False)


@app.command()
@_boundary
def report(
    runs: Annotated[list[Path], typer.Argument(help="Run directories to include.")],
    *,
    output: Annotated[Path, typer.Option("--output", "-o", metavar="FILE", help="Index HTML file to write; the cluster pages go into <name>_files/ beside it.")] = Path("report.html"),
    seed: Annotated[Optional[int], typer.Option(min=0, metavar="N", help="Resampling seed (default: each run's seed).")] = None,
    resamples: Annotated[int, typer.Option(min=1, max=MAX_RESAMPLES, metavar="N", help="Bootstrap / permutation resamples.")] = 1000,
    alpha: Annotated[float, typer.Option(min=0.0, max=1.0, metavar="P", callback=_finite, help="Significance level after Holm correction.")] = 0.05,
    suite: Annotated[Optional[str], typer.Option("--suite", metavar="SUITE", help="Where the suite lives now, if it moved since the run.")] = None,
    suite_format: Annotated[Optional[DataFormat], typer.Option("--suite-format", help="Schema of a data-file --suite.")] = None,
) -> None:
    """Write an offline HTML report: an index page (leaderboard, significance matrix, failures) and a folder
    of per-cluster drill-down pages beside it (report.html -> report_files/)."""
    from .report.render import pages_folder, write_report

    size, pages = write_report(runs, output, seed=seed, resamples=resamples, alpha=alpha, suite_source=suite,
                               suite_format=suite_format.value if suite_format else None)
    from .terminal import fill, width

    typer.secho(fill(f"report: {output} ({size // 1024} KiB) and {pages} pages in {pages_folder(output)}/", width(),
                     "  "), err=True, nl=False)


@app.command()
@_boundary
def meta(
    run_dir: Annotated[Path, typer.Argument(help="A run directory whose summaries were judged.")],
    *,
    judgments: Annotated[Path, typer.Option("--judgments", "-j", metavar="FILE", help="JSONL human judgments: per summary {cluster, system, score} or named ratings {cluster, system, coherence: 3.7, ...}, and/or per key point {cluster, system, key_point, present, reference}.")],
    dimension: Annotated[Optional[list[str]], typer.Option("--dimension", "-d", metavar="NAME", help="Rating dimension to measure against (e.g. coherence; repeatable or comma-separated; default: every one the judgments give).")] = None,
    compare: Annotated[Optional[list[str]], typer.Option("--compare", metavar="A,B", help="Two metric values A,B whose tau to test (paired bootstrap); repeatable (default: every value against the best).")] = None,
    fmt: Annotated[MetaFormat, typer.Option("--format", "-f", help="Output format.")] = MetaFormat.text,
    seed: Annotated[Optional[int], typer.Option(min=0, metavar="N", help="Resampling seed (default: the run's seed).")] = None,
    resamples: Annotated[int, typer.Option(min=1, max=MAX_RESAMPLES, metavar="N", help="Bootstrap resamples of clusters.")] = 1000,
    suite: Annotated[Optional[str], typer.Option("--suite", metavar="SUITE", help="Where the suite lives now, if it moved since the run.")] = None,
    suite_format: Annotated[Optional[DataFormat], typer.Option("--suite-format", help="Schema of a data-file --suite.")] = None,
) -> None:
    """Agreement of a run's metrics with human judgments: key-point, summary, sample and system level, per rating
    dimension."""
    from .meta.build import meta_evaluate
    from .meta.render import render_meta

    pairs = []
    for spec in compare or ():
        a, comma, b = spec.partition(",")
        if not comma or not a.strip() or not b.strip() or "," in b:
            raise UsageError(f"--compare expects two metric values A,B, got {spec!r}")
        pairs.append((a.strip(), b.strip()))
    dimensions = [d.strip() for spec in dimension or () for d in spec.split(",")]
    if any(not d for d in dimensions):
        raise SumbenchError(f"--dimension expects names such as coherence, got {', '.join(dimension or ())!r}")
    result = meta_evaluate(run_dir, judgments, seed=seed, resamples=resamples, compare=pairs, suite_source=suite,
                           suite_format=suite_format.value if suite_format else None,
                           dimensions=dimensions or None)
    typer.echo(render_meta(result, fmt), nl=False)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="warning: %(message)s")
    signal.signal(signal.SIGTERM, _on_sigterm)  # the run's records and manifest are closed as on Ctrl-C
    app()


if __name__ == "__main__":
    main()
