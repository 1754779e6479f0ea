"""Shared fixtures: a fake Chat Completions server and small news clusters."""

from __future__ import annotations

import socket

import pytest

from bench.model import Cluster, Document
from tests.llm_server import FakeChatServer


@pytest.fixture
def chat_server():
    with FakeChatServer() as server:
        yield server


@pytest.fixture
def free_port() -> int:
    """A port with nothing listening (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_cluster(cid: str, marker: str = "", n_docs: int = 2) -> Cluster:
    outlets = ["Reuters", "AP", "BBC", "NHK"]
    docs = tuple(
        Document(
            id=f"{cid}-{i}",
            text=f"{outlets[i]} reports that event {cid} happened on day {i}. {marker} More details followed later. "
            "Officials declined to comment further.",
            source=outlets[i],
            title=f"Story {cid}",
        )
        for i in range(n_docs)
    )
    return Cluster(cid, docs, title=f"Story {cid}")
