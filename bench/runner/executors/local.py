"""In-process execution: units run one after another in this process."""

from __future__ import annotations

from typing import Any, Iterator, Mapping, Sequence

from ..units import Unit


class LocalExecutor:
    name = "local"
    workers = 1

    def run(self, plugins: Mapping[str, Any], units: Sequence[Unit], context: Any = None) -> Iterator[dict[str, Any]]:
        for unit in units:
            yield from unit.run(plugins)

    def describe(self) -> dict[str, Any]:
        return {"executor": self.name, "workers": 1}

    def close(self) -> None:
        pass
