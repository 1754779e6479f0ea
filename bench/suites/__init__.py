"""Loading suites: a folder under references/, a data file, or hf:NAME."""

from .loading import DEFAULT_SUITE, list_suites, load_suite, references_root

__all__ = ["DEFAULT_SUITE", "list_suites", "load_suite", "references_root"]
