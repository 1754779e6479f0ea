"""Find plugins where they live: built-in folders, entry points, --plugins paths.

Nothing is imported until discovery is asked for.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import importlib.util
import pkgutil
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Iterable

from ..errors import PluginError
from ..nesting import parse_shallow
from .registry import Entry, Registry

BUILTIN_PACKAGES = ("bench.metrics", "systems")
ENTRY_POINT_GROUPS = {"system": "sumbench.systems", "metric": "sumbench.metrics"}


@dataclass(frozen=True)
class Plugins:
    systems: Registry
    metrics: Registry


def discover(plugin_paths: Iterable[str | Path] = ()) -> Plugins:
    plugins = Plugins(Registry("system"), Registry("metric"))
    for package in BUILTIN_PACKAGES:
        for module in _package_modules(package):
            _collect(module, plugins, origin=module.__name__)
    for kind, group in ENTRY_POINT_GROUPS.items():
        for ep in importlib.metadata.entry_points(group=group):
            try:
                obj = ep.load()
            except (Exception, SystemExit) as exc:
                raise PluginError(f"could not load entry point {ep.value!r} ({group}): {_why(exc)}") from None
            if isinstance(obj, ModuleType):
                _collect(obj, plugins, origin=f"entry point {ep.value}")
            else:
                _add_class(obj, plugins, origin=f"entry point {ep.value}")
    for path in plugin_paths:
        for module in _path_modules(Path(path)):
            _collect(module, plugins, origin=str(module.__file__))
    for folder in _preset_folders(plugin_paths):
        for toml_file in sorted(folder.glob("*.toml")):
            _load_presets(toml_file, plugins)
    return plugins


def _package_modules(package: str) -> list[ModuleType]:
    try:
        pkg = importlib.import_module(package)
    except ModuleNotFoundError:
        return []
    return _modules_under(pkg)


def _modules_under(pkg: ModuleType) -> list[ModuleType]:
    """Every module of a package, its folders' (a metric family's) included; ``_`` names left out."""
    modules = []
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        name = f"{pkg.__name__}.{info.name}"
        try:
            module = importlib.import_module(name)
        except (Exception, SystemExit) as exc:
            raise PluginError(f"could not import plugin module {name}: {_why(exc)}") from None
        modules.extend(_modules_under(module) if info.ispkg else [module])
    return modules


def import_plugin_paths(paths: Iterable[Path]) -> None:
    """Import ``--plugins`` files under their stable module names (worker processes
    do this so that plugins pickled in the parent can be unpickled there)."""
    for path in paths:
        _path_modules(Path(path))


def _path_modules(path: Path) -> list[ModuleType]:
    if not path.exists():
        raise PluginError("plugin path does not exist", where=str(path))
    files = sorted(path.glob("*.py")) if path.is_dir() else [path]
    modules = []
    for file in files:
        if file.name.startswith("_"):
            continue
        if file.suffix != ".py":
            raise PluginError("a plugin must be a .py file or a folder of them", where=str(file))
        digest = hashlib.sha1(str(file.resolve()).encode()).hexdigest()[:10]
        mod_name = f"sumbench_plugin_{digest}_{file.stem}"  # stable across processes
        if mod_name in sys.modules:
            modules.append(sys.modules[mod_name])
            continue
        spec = importlib.util.spec_from_file_location(mod_name, file)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[mod_name] = module
        try:
            spec.loader.exec_module(module)
        except (Exception, SystemExit) as exc:
            del sys.modules[mod_name]
            raise PluginError(f"could not import plugin: {_why(exc)}", where=str(file)) from None
        modules.append(module)
    return modules


def _why(exc: BaseException) -> str:
    """What went wrong importing a plugin; sys.exit() at import is refused like an exception."""
    if isinstance(exc, SystemExit):
        return f"it called sys.exit({exc.code!r}) while being imported"
    return f"{type(exc).__name__}: {exc}"


def _collect(module: ModuleType, plugins: Plugins, origin: str) -> None:
    for obj in vars(module).values():
        if isinstance(obj, type) and getattr(obj, "__module__", None) == module.__name__:
            if "__sumbench_plugin__" in vars(obj):
                _add_class(obj, plugins, origin)


def _add_class(cls: type, plugins: Plugins, origin: str) -> None:
    mark = getattr(cls, "__sumbench_plugin__", None)
    if not mark:
        raise PluginError(f"{cls!r} from {origin} is not a @system or @metric plugin")
    kind, name = mark
    registry = plugins.systems if kind == "system" else plugins.metrics
    registry.add(Entry(kind, name, cls, origin))


def _preset_folders(plugin_paths: Iterable[str | Path]) -> list[Path]:
    folders = []
    try:
        pkg = importlib.import_module("systems")
        folders.extend(Path(p) for p in pkg.__path__)
    except ModuleNotFoundError:
        pass
    folders.extend(Path(p) for p in plugin_paths if Path(p).is_dir())
    return folders


def _load_presets(path: Path, plugins: Plugins) -> None:
    """Named systems from config: ``[name]`` tables with ``system = "base"``."""
    from ..text.normalize import TextError, decode_bytes

    try:
        data = parse_shallow(tomllib.loads, decode_bytes(path.read_bytes()), lambda msg: PluginError(msg, where=str(path)))
    except OSError as exc:
        raise PluginError(f"cannot read system config: {exc.strerror}", where=str(path)) from None
    except TextError as exc:
        raise PluginError(str(exc), where=f"{path}:{exc.line}" if exc.line else str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise PluginError(f"invalid TOML: {exc}", where=str(path)) from None
    for name, table in data.items():
        where = f"{path} [{name}]"
        if not isinstance(table, dict):
            raise PluginError("each named system must be a [table]", where=where)
        params = dict(table)
        base = params.pop("system", None)
        doc = params.pop("doc", "")
        if not isinstance(base, str):
            raise PluginError('missing field "system" (the base system, e.g. "llm")', where=where)
        if not isinstance(doc, str):
            raise PluginError(f'"doc" must be a string, got {doc!r}', where=where)
        try:
            base_entry = plugins.systems.get(base)
        except PluginError as exc:
            raise PluginError(exc.message, where=where) from None
        from .params import build_params, canonical_params  # validate now, with a located error

        try:
            params = canonical_params(base_entry.cls, params, kind="system", name=name)
            _resolve_paths(params, getattr(base_entry.cls, "path_params", ()), path.parent)
            build_params(base_entry.cls, params, kind="system", name=name)
        except PluginError as exc:
            raise PluginError(str(exc), where=where) from None
        plugins.systems.add(
            Entry("system", name, base_entry.cls, str(path), preset=params, doc=doc or f"{base} preset")
        )


def _resolve_paths(params: dict, names, folder: Path) -> None:
    """Relative file paths in a config file are read from the config's folder."""
    for key in names:
        value = params.get(key)
        if isinstance(value, str) and not Path(value).expanduser().is_absolute():
            candidate = folder / value
            if candidate.is_file():
                params[key] = str(candidate.resolve())
