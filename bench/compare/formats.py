"""Output formats of ``sumbench compare`` (import-light: used by the CLI)."""

from enum import Enum


class CompareFormat(str, Enum):
    text = "text"
    markdown = "markdown"
    csv = "csv"
    latex = "latex"
    json = "json"
