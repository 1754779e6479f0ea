"""In-process execution: units run one after another in this process."""

from __future__ import annotations

from typing import Any, Iterator, Sequence

from ..units import Unit


class LocalExecutor:
    name = "local"
    workers = 1

    def unit_size(self, plugin: Any, pending: int) -> int:
        # one unit: the system's own summarize_many sees every cluster (llm runs
        # its requests concurrently across them)
        return max(1, pending)

    def run(self, plugin: Any, units: Sequence[Unit], context: Any = None) -> Iterator[dict[str, Any]]:
        for unit in units:
            yield from unit.run(plugin)

    def describe(self) -> dict[str, Any]:
        return {"executor": self.name, "workers": 1}

    def close(self) -> None:
        pass
