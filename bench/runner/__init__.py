"""Running systems over a suite, scoring, and the results store."""
