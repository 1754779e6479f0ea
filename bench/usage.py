"""LLM usage of a run: requests, cache hits, tokens, cost and failures per LLM system and LLM judge.

Read from the manifest's ``totals`` of each system and metric, which add up over
the run's invocations (a resume adds to them; ``bench.runner.run._close_entry``).
A system or metric whose totals count HTTP requests (``requests_sent``) talked
to a chat endpoint; any other has no usage and is left out. Tokens and cost are
those of the requests this run sent (an answer read from the cache is free).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Sequence

LEGEND = ("sent: HTTP requests, retries included · cached: answers from the response cache (free) · "
          "tok in/out: prompt/completion tokens · USD: where prices are set · failed: clusters (systems) "
          "or summaries (judges) that failed, in any invocation (a rerun may have completed them since)")


@dataclass(frozen=True)
class Usage:
    label: str  # the system's or metric's label
    kind: str  # "system" or "judge"
    model: str  # the model asked for
    requests: int  # HTTP requests sent, retries included
    retries: int
    cache_hits: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None  # None: no price set
    failures: int  # clusters (system) or items (judge) that failed, summed over invocations
    seconds: float | None  # time spent, over the invocations
    logprobs_refused: str | None = None  # the server's refusal of log-probabilities (the judge did without since)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def llm_usage(manifest: dict[str, Any]) -> list[Usage]:
    """Systems first, then judges, each in manifest order."""
    out = []
    for kind, section in (("system", "systems"), ("judge", "metrics")):
        for label, entry in (manifest.get(section) or {}).items():
            totals = entry.get("totals") if isinstance(entry, dict) else None
            if not isinstance(totals, dict) or "requests_sent" not in totals:
                continue
            out.append(Usage(
                label=label, kind=kind, model=str(totals.get("model_requested") or ""),
                requests=_int(totals.get("requests_sent")), retries=_int(totals.get("retries")),
                cache_hits=_int(totals.get("cache_hits")), prompt_tokens=_int(totals.get("prompt_tokens")),
                completion_tokens=_int(totals.get("completion_tokens")), cost_usd=_number(totals.get("cost_usd")),
                failures=_int(totals.get("failures")), seconds=_number(entry.get("seconds")),
                logprobs_refused=totals.get("logprobs_refused") or None))
    return out


def notes(usages: Sequence[Usage]) -> list[str]:
    """What a reader of the numbers must know: a server that refused log-probabilities."""
    return [f"{u.label}: the server refused log-probabilities ({u.logprobs_refused}); the judge did without them"
            for u in usages if u.logprobs_refused]


def by_row(usages: Sequence[Usage]) -> tuple[dict[str, dict], dict[str, dict]]:
    """(system label -> usage, metric label -> usage), as JSON objects."""
    return ({u.label: u.as_json() for u in usages if u.kind == "system"},
            {u.label: u.as_json() for u in usages if u.kind == "judge"})


def cells(u: Usage) -> list[str]:
    """The compact row: who, sent, cached, tok in, tok out, USD, failed."""
    who = f"{u.label} (judge)" if u.kind == "judge" else u.label
    return [who, f"{u.requests:,}", f"{u.cache_hits:,}", f"{u.prompt_tokens:,}", f"{u.completion_tokens:,}",
            format_cost(u.cost_usd), f"{u.failures:,}"]


HEADER = ["LLM", "sent", "cached", "tok in", "tok out", "USD", "failed"]
MIN_LABEL = 16  # columns a label needs at least, folded


def format_cost(cost: float | None) -> str:
    if cost is None:
        return "—"
    return f"{cost:.4f}" if cost < 1 else f"{cost:,.2f}"


def usage_text(usages: Sequence[Usage], width: int) -> str:
    """The block printed under the table (empty when the run used no LLM), at most ``width`` columns:
    numbers stay whole, a long label folds."""
    if not usages:
        return ""
    import io

    from rich import box
    from rich.console import Console
    from rich.table import Table

    from .terminal import fill

    rows = [cells(u) for u in usages]
    numbers = [max(len(head), *(len(r[i]) for r in rows)) for i, head in enumerate(HEADER) if i]
    title = fill("LLM usage, summed over the run's invocations:", width)
    if sum(numbers) + 2 * len(HEADER) + MIN_LABEL > width:  # too narrow for the table: one line each
        import textwrap

        lines = "".join(textwrap.fill(f"  {r[0]}: " + ", ".join(f"{v} {h}" for h, v in zip(HEADER[1:], r[1:])),
                                      width, subsequent_indent="    ", break_on_hyphens=False) + "\n" for r in rows)
        return title + lines + fill(LEGEND, width, "  ") + _notes_text(usages, width)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)  # two spaces between columns
    table.add_column(HEADER[0], overflow="fold")
    for head, n in zip(HEADER[1:], numbers):
        table.add_column(head, justify="right", no_wrap=True, min_width=n)
    for row in rows:
        table.add_row(*row)
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(table)
    return title + console.export_text() + fill(LEGEND, width, "  ") + _notes_text(usages, width)


def _notes_text(usages: Sequence[Usage], width: int) -> str:
    from .terminal import fill

    return "".join(fill(n, width, "  ") for n in notes(usages))


def usage_markdown(usages: Sequence[Usage], width: int = 80) -> str:
    """The block as Markdown: a table (its rows are as long as they are) and a legend wrapped to ``width``."""
    if not usages:
        return ""
    from .terminal import fill

    lines = ["**LLM usage**, summed over the run's invocations", "",
             "| " + " | ".join(HEADER) + " |", "|" + "|".join("---" for _ in HEADER) + "|"]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in cells(u)) + " |" for u in usages]
    return "\n".join(lines) + "\n\n" + fill(LEGEND, width) + "".join("\n\n" + fill(n, width) for n in notes(usages))


def _int(value: Any) -> int:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
