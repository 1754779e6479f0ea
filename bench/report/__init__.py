"""``sumbench report``: one self-contained, offline HTML file per set of runs."""
