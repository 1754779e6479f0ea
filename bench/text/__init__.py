"""Text utilities shared by systems and metrics."""
