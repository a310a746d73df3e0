"""Prometheus metrics, in a registry of the app's own (no process-wide globals)."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from strawberry.extensions import SchemaExtension

from cso.projections.supervisor import ProjectionStatus

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        self.operations = Histogram(
            "cso_graphql_operation_seconds",
            "GraphQL operations by type and outcome.",
            ["type", "outcome"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter(
            "cso_graphql_errors_total",
            "GraphQL errors by extensions.code.",
            ["code"],
            registry=self.registry,
        )
        self.lag_events = self._per_projection(
            "cso_projection_lag_events",
            "Events in the log that a projection has not applied yet.",
        )
        self.lag_seconds = self._per_projection(
            "cso_projection_lag_seconds",
            "Age of the oldest event a projection has not applied yet.",
        )
        self.projection_failures = self._per_projection(
            "cso_projection_failures",
            "Consecutive failures of a projection on the same event (0 when healthy).",
        )

    def _per_projection(self, name: str, documentation: str) -> Gauge:
        """A gauge with one value per projection, labelled by its name."""
        return Gauge(name, documentation, ["projection"], registry=self.registry)

    def render(self, statuses: Sequence[ProjectionStatus]) -> bytes:
        """The exposition text, with projection lag read at scrape time."""
        for status in statuses:
            self.lag_events.labels(status.name).set(status.lag_events)
            self.lag_seconds.labels(status.name).set(status.lag_seconds or 0.0)
            self.projection_failures.labels(status.name).set(status.failures)
        return generate_latest(self.registry)


class OperationMetrics(SchemaExtension):
    """Times each operation and counts its errors by code."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        context = self.execution_context.context
        metrics: Metrics | None = getattr(getattr(context, "runtime", None), "metrics", None)
        if metrics is None:
            return
        result = self.execution_context.result
        # A document that failed to parse or validate leaves no result, only these.
        errors = list(
            getattr(result, "errors", None) or self.execution_context.pre_execution_errors or ()
        )
        try:
            kind = self.execution_context.operation_type.value
        except RuntimeError:  # the document did not parse: no operation to name
            kind = "unknown"
        outcome = "error" if errors else "ok"
        metrics.operations.labels(kind, outcome).observe(time.perf_counter() - started)
        for error in errors:
            code = (error.extensions or {}).get("code", "INTERNAL")
            metrics.errors.labels(str(code)).inc()
