"""Plugin interfaces (systems, metrics), registries and discovery."""

from .metric import ItemFailure, Metric, MetricResult, ScoreItem, metric
from .system import RunContext, SummaryTask, System, SystemOutput, system

__all__ = [
    "ItemFailure", "Metric", "MetricResult", "ScoreItem", "metric",
    "RunContext", "SummaryTask", "System", "SystemOutput", "system",
]
