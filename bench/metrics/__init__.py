"""Built-in metric plugins: every module here is discovered automatically."""
