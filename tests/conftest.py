from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data" / "multi_news_dev50" / "test.jsonl"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def signal_midway(cmd: list[str], env: dict, ready, sig: int, timeout: float = 120) -> tuple[int, str]:
    """Start ``cmd``, send it ``sig`` once ``ready()`` holds, and return its exit code and stderr."""
    import subprocess
    import time

    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + timeout
    while time.time() < deadline and not ready():
        time.sleep(0.05)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    return proc.returncode, err


def lines_in(path: Path) -> int:
    """Lines written to ``path`` so far (0 before it exists)."""
    return len(path.read_text().splitlines()) if path.exists() else 0


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def make_suite(root: Path, clusters: int = 2, docs: int = 2) -> Path:
    """A small, valid suite folder with predictable text."""
    write(root / "suite.toml", 'name = "tiny"\ndescription = "test suite"\n[defaults]\nwords = 50\n')
    for c in range(clusters):
        cdir = root / f"c{c}"
        write(cdir / "cluster.toml", f'title = "Cluster {c}"\n')
        for d in range(docs):
            write(
                cdir / "documents" / f"d{d}.txt",
                f"""
                +++
                outlet = "Outlet {d}"
                title = "Story {c} headline"
                +++
                The council of town {c} approved a new budget on Monday. Officials said taxes will rise by {d + 2} percent.
                Residents protested outside the hall in town {c}. The mayor promised a review next year.
                """,
            )
        write(
            cdir / "references" / "editor.md",
            f"""
            +++
            author = "editor"
            +++
            - Town {c} approved a new budget and taxes will rise.
            - Residents of town {c} protested and the mayor promised a review.
            """,
        )
    return root


@pytest.fixture
def tiny_suite(tmp_path: Path) -> Path:
    return make_suite(tmp_path / "tiny")


@pytest.fixture(scope="session")
def _sumbench_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("sumbench-cache")


@pytest.fixture(autouse=True)
def _no_hub(monkeypatch, _sumbench_cache):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    # runs stay in the test process unless a test asks for workers (--workers N)
    monkeypatch.setenv("SUMBENCH_WORKERS", "1")
    # the loaded-suite cache of this test session, not the user's
    monkeypatch.setenv("SUMBENCH_CACHE_DIR", str(_sumbench_cache))
    yield
