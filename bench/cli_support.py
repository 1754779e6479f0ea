"""What the ``sumbench`` commands share: loading a suite and plugins, running, printing a results table."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from .errors import PluginError, PluginFileError, SumbenchError, UsageError

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_NOTHING_PRODUCED = 3
DEFAULT_SYSTEMS = ("lead",)
DEFAULT_METRICS = ("rouge",)


class DataFormat(str, Enum):
    multi_news = "multi_news"
    generic = "generic"


class ExecutorKind(str, Enum):
    processes = "processes"
    ray = "ray"
    local = "local"


def exit_at_once_on_next_stop(code: int) -> None:
    """After a Ctrl-C (or SIGTERM) was handled, the next one ends the process at once: what is left is the
    interpreter's exit, which may wait for threads a library left running."""
    import os
    import signal

    def now(signum, frame) -> None:
        os.write(2, b"stopped\n")
        os._exit(code)

    signal.signal(signal.SIGINT, now)
    signal.signal(signal.SIGTERM, now)


def fail(line: str, code: int) -> None:
    """``line`` on stderr, and exit. On a terminal it is wrapped between words (continued lines indented);
    a pipe or a log gets it on one line, the last (scripts read it there)."""
    from .terminal import fill, width

    if sys.stderr.isatty():
        line = fill(line, width(), "  ").rstrip("\n")
    typer.secho(line, err=True, fg=typer.colors.RED)
    raise typer.Exit(code) from None


def parse_columns(columns: Optional[str]) -> dict[str, str] | None:
    if not columns:
        return None
    out = {}
    for part in columns.split(","):
        role, eq, col = part.partition("=")
        if not eq or not role.strip() or not col.strip():
            raise UsageError(f"--columns expects role=column pairs, got {part!r}")
        out[role.strip()] = col.strip()
    return out


def setup(suite, fmt, columns, split, plugins, metric, words, bullets, limit=None, systems_given=True):
    """Suite (limited), plugin registry, metrics, budget and how to reload the suite. A data-file suite
    (``fmt`` given) gets sumbench's defaults where the command sets none (bench.suites.defaults), said first."""
    from .budget import Budget
    from .plugins.discovery import discover
    from .suites import load_suite

    mapping = parse_columns(columns)
    loaded = load_suite(suite, fmt.value if fmt else None, mapping, split).limited(limit)
    if fmt is not None:
        from .suites.defaults import with_product_defaults
        from .terminal import fill, width

        loaded, said = with_product_defaults(loaded, systems_given, bool(metric), bool(words or bullets))
        if said:
            typer.secho(fill(said, width(), "  "), err=True, nl=False)
    defaults = dict(loaded.defaults)
    registry = discover(plugins or ())
    metric_specs = metric or list(defaults.get("metrics", DEFAULT_METRICS))
    metrics = unique([create(registry.metrics, m) for m in metric_specs], "metric")
    budget = Budget(words=words or defaults.get("words"), bullets=bullets or defaults.get("bullets"))
    suite_args = {"format": fmt.value if fmt else None, "columns": mapping, "split": split}
    return loaded, registry, metrics, budget, suite_args


def execution(executor: ExecutorKind, workers: Optional[int], ray_address: Optional[str]):
    from .runner.executors import Execution

    if ray_address and executor is not ExecutorKind.ray:
        raise UsageError("--ray-address needs --executor ray")
    return Execution(kind=executor.value, workers=workers, ray_address=ray_address)


def check_cache_dir(cache_dir: Optional[Path]) -> None:
    """--cache-dir names a folder (made when missing), not a file: refused before anything runs."""
    if cache_dir is None:
        return
    for place in (cache_dir, *cache_dir.parents):
        if place.exists() and not place.is_dir():
            raise UsageError(f"--cache-dir {cache_dir}: {place} is a file, not a folder; give a folder for the "
                             "response caches")
        if place.exists():
            return


def early_lock(out: Optional[Path]):
    """The run folder's lock before any loading when --out names it (a busy folder is refused at once)."""
    import contextlib

    from .runner.store import RunLock

    return RunLock(out) if out is not None else contextlib.nullcontext()


#: how `run` and `score` show a table split in parts in one piece (their own options)
RUN_ONE_PIECE = "`--table csv`, or `--table markdown`"


def execute_and_print(request, quiet: bool, table_format, lock=None) -> None:
    """Run, print the table and what was reused, and exit 3 when a requested system or metric produced nothing."""
    from .results import load_results, nothing_produced
    from .runner.progress import make_reporter
    from .runner.run import execute

    path = execute(request, make_reporter(quiet), lock=lock)
    results = load_results(path)
    typer.echo(render_table(path, table_format, all_keys=False, results=results, one_piece=RUN_ONE_PIECE), nl=False)
    from .terminal import fill, width

    typer.secho(fill(reuse_line(results, [s.label for s in request.systems]), width(), "  "), err=True, nl=False)
    typer.secho(f"results: {path}", err=True)
    empty = nothing_produced(results, [s.label for s in request.systems], [m.label for m in request.metrics])
    if empty:
        fail("error: produced nothing: " + "; ".join(empty), EXIT_NOTHING_PRODUCED)


def plugin_paths(plugins: Optional[list[Path]]) -> tuple[str, ...]:
    return tuple(str(Path(p).resolve()) for p in plugins or ())


def create(registry, spec: str):
    """The plugin a --system/--metric spec names; an unknown name, parameter or value is a bad command line."""
    try:
        return registry.create(spec)
    except PluginFileError:  # a file it names is at fault: bad input
        raise
    except PluginError as exc:
        raise UsageError(str(exc)) from None


def unique(resolved: list, kind: str) -> list:
    """The plugins under labels unique within the command (``settle_labels``: the full label, endpoint
    included, where two would get the same short one); the same spec twice is an error."""
    from .plugins.registry import settle_labels

    try:
        return settle_labels(resolved, kind)
    except PluginError as exc:
        raise UsageError(str(exc)) from None


def table_format(value: str):
    from .tables import TableFormat

    try:
        return TableFormat(value)
    except ValueError:
        raise UsageError(f"unknown table format {value!r}; use text, markdown, csv or json") from None


def reuse_line(results, requested: list[str]) -> str:
    """What this command computed and what it found already done (in the run's last invocation)."""
    computed = results.manifest["invocations"][-1].get("computed", {})
    made, scored = computed.get("summaries", 0), computed.get("scores", 0)
    mine = [s for s in results.systems if s.label in requested]
    total = sum(len(s.clusters) for s in mine)
    others = [s.label for s in results.systems if s.label not in requested]
    beside = f"; beside {len(others)} systems already in this run, not recomputed: {', '.join(others)}" if others else ""
    if not made and not scored:
        return f"nothing recomputed: all {_count(total, 'summary', 'summaries')} and their scores were already done{beside}"
    return f"computed {_count(made, 'summary', 'summaries')} and {_count(scored, 'score')}" + (
        f"; reused {_count(total - made, 'summary', 'summaries')}" if total > made else "") + beside


def _count(n: int, one: str, many: str = "") -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def render_table(path: Path, fmt, all_keys: bool, seed: int | None = None, resamples: int | None = None,
                 layout: str = "wide", results=None, one_piece: str | None = None) -> str:
    from .results import load_results
    from .stats import DEFAULT_RESAMPLES
    from .tables import Layout, build_rows, render, render_wide, table_title

    try:
        chosen = Layout(layout)
    except ValueError:
        raise UsageError(f"unknown layout {layout!r}; use long or wide") from None
    results = results or load_results(path)
    m = results.manifest
    seed = m.get("seed", 0) if seed is None else seed
    resamples = resamples or DEFAULT_RESAMPLES
    rows = build_rows(results, all_keys=all_keys, seed=seed, resamples=resamples)
    title = table_title(m, rows, resamples, seed)
    from .terminal import width

    if chosen is Layout.long:
        text = render(rows, fmt, title, width=width())
    else:
        text = render_wide(rows, fmt, title, width=width(), **({"one_piece": one_piece} if one_piece else {}))
    return text + _reading_block(results, fmt, width()) + _usage_block(m, fmt, width())


def _reading_block(results, fmt, columns: int) -> str:
    """What a few clusters can say and why systems score alike (bench.reading), under a text or Markdown table."""
    from .reading import reading_notes
    from .tables import TableFormat
    from .terminal import fill

    if fmt not in (TableFormat.text, TableFormat.markdown):
        return ""
    lead = "" if fmt is TableFormat.text else "- "
    return "".join(fill(f"{lead}{note}", columns, "  ") for note in reading_notes(results))


def _usage_block(manifest: dict, fmt, columns: int) -> str:
    """LLM usage under a text or Markdown table (JSON rows carry it; CSV stays a plain table)."""
    from .tables import TableFormat
    from .usage import llm_usage, usage_markdown, usage_text

    if fmt is TableFormat.text:
        block = usage_text(llm_usage(manifest), columns)
    elif fmt is TableFormat.markdown:
        block = usage_markdown(llm_usage(manifest), columns)
    else:
        return ""
    return "\n" + block if block else ""


def join(loaded, budget, limit, out: Optional[Path], registry, metrics, results_root: Path = Path("results"),
         adopt_budget: bool = False, any_limit: bool = False):
    """``--join``: (run folder, metrics, suite, budget, limit) of the run chosen under ``results/``
    (bench.runner.join), its metrics unless ``metrics`` were given, so that the new systems fill the same
    columns. ``adopt_budget``/``any_limit``: the command set none, the run's apply."""
    from .runner.join import choose

    if out is not None:
        raise UsageError("give --join or --out, not both (--join picks the run folder)")
    chosen = choose(results_root, loaded, None if adopt_budget else budget, limit, any_limit)
    if metrics is None:
        # from the recorded name and parameters: a label leaves the endpoint out, or is an as=NAME
        metrics = unique([registry.metrics.recreate(label, entry if isinstance(entry, dict) else {})
                          for label, entry in chosen.run.manifest["metrics"].items()], "metric")
    from .terminal import fill, width

    typer.secho(fill(chosen.why, width(), "  "), err=True, nl=False)
    return chosen.run.path, metrics, chosen.suite, chosen.budget, chosen.limit


def into_run(out: Path, loaded, budget, words, bullets, limit):
    """`score --out` into an existing run: (suite, budget, limit) as that run has them where the command
    set none (a run made with --limit and --words takes outputs without them)."""
    from .budget import Budget
    from .runner.store import read_manifest

    manifest = read_manifest(out) if out.exists() else None
    if manifest is None:
        return loaded, budget, limit
    if limit is None:
        limit = manifest["suite"].get("limit")
        loaded = loaded.limited(limit)
    if words is None and bullets is None:
        budget = Budget(**manifest["budget"])
    return loaded, budget, limit


def list_runs_inside(folder: Path) -> None:
    """A folder holding runs, not a run: list them newest first and name the newest (exit 0: `sumbench table
    results` is how runs are listed)."""
    from .runner.find import runs_under
    from .runner.store import MANIFEST
    from .terminal import fill, width

    if not folder.is_dir() or (folder / MANIFEST).exists():
        return
    inside = runs_under(folder)
    if not inside:
        return
    typer.echo(f"{folder} holds {len(inside)} run{'' if len(inside) == 1 else 's'}, newest first:")
    for run in inside[:20]:
        typer.echo(f"  {run.path}")
        typer.echo(fill(f"      {run.describe()}", width(), "      "), nl=False)
    if len(inside) > 20:
        typer.echo(f"  ... and {len(inside) - 20} more")
    typer.echo(fill(f"the newest one's table: `sumbench table {inside[0].path}`", width()), nl=False)
    raise typer.Exit(0)
