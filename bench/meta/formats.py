"""Output formats of ``sumbench meta`` (import-light: used by the CLI)."""

from enum import Enum


class MetaFormat(str, Enum):
    text = "text"
    markdown = "markdown"
    csv = "csv"
    json = "json"
