"""Ray actors on a local or existing Ray cluster (``--executor ray``, extra ``sumbench[ray]``).

``--ray-address`` names a running cluster (``auto``, ``ray://head:10001`` or
``head:6379``); without it a local Ray instance is started for the run (or one
this process already started is used). Every node needs sumbench (and the
plugins' packages) installed, and ``--plugins`` paths must exist on every node.
Results come back to this process, which alone writes the run folder.
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any, Callable

from ...errors import RunError
from .interface import machine_cores
from .pool import PoolExecutor, WorkerDied
from .worker import RayWorker


class RayExecutor(PoolExecutor):
    name = "ray"

    def __init__(self, workers: int | None, address: str | None, plugin_paths: tuple[str, ...],
                 notice: Callable[[str], None]) -> None:
        super().__init__(workers, plugin_paths, notice)
        self.address = address
        self._owns_ray = False
        self._actors: list[Any] = []
        self._refs: list[Any] = []
        try:
            import ray  # noqa: F401  (fail at once, not when the first unit is ready)
        except ImportError:
            raise RunError("--executor ray needs Ray: pip install 'sumbench[ray]'") from None

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "workers": self.workers or "the cluster's CPUs",
                "ray_address": self.address or "local"}

    def _start(self) -> None:
        import ray

        if not ray.is_initialized():
            kwargs: dict[str, Any] = dict(include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
            if self.address is None:
                kwargs["num_cpus"] = self.workers or machine_cores()
            own_sigterm = signal.getsignal(signal.SIGTERM) if threading.current_thread() is threading.main_thread() else None
            try:
                ray.init(address=self.address, **kwargs)
            except Exception as exc:
                raise RunError(f"cannot start or reach Ray ({self.address or 'local'}): {type(exc).__name__}: {exc}") from None
            finally:  # Ray's driver handler exits at once (sys.exit): keep this process's own stop (run interrupted)
                if own_sigterm is not None:
                    signal.signal(signal.SIGTERM, own_sigterm)
            self._owns_ray = True
        cpus = int(ray.cluster_resources().get("CPU", 1))
        self.workers = self.workers or max(1, cpus)
        # a local instance shares this machine's cores; on a cluster Ray gives each actor one CPU
        threads = max(1, machine_cores() // self.workers) if self.address is None else 1
        actor = ray.remote(num_cpus=1, max_restarts=1)(RayWorker)
        self._actors = [actor.remote(self.plugin_paths, threads) for _ in range(self.workers)]

    def _stop(self) -> None:
        import ray

        for actor in self._actors:
            ray.kill(actor)
        self._actors = []
        self._refs = []
        if self._owns_ray:
            ray.shutdown()
            self._owns_ray = False

    def _share(self, key: str, blob: bytes) -> list:
        import ray

        ref = ray.put(blob)
        self._refs.append(ref)  # keep it alive for the run
        return [ref]  # in a list: the actor fetches it only the first time

    def _submit(self, index: int, key: str, shared: Any, unit: Any) -> Any:
        return self._actors[index % len(self._actors)].run_unit.remote(key, shared, unit)

    def _result(self, handle: Any) -> list[dict[str, Any]]:
        import ray
        from ray.exceptions import RayActorError, WorkerCrashedError

        try:
            return ray.get(handle)
        except (RayActorError, WorkerCrashedError) as exc:
            raise WorkerDied(f"Ray worker lost ({type(exc).__name__})") from None
        except ray.exceptions.RayTaskError as exc:
            cause = exc.cause if getattr(exc, "cause", None) is not None else exc
            raise RuntimeError(f"{type(cause).__name__}: {cause}") from None
