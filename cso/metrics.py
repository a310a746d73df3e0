"""Prometheus metrics, in a registry of the app's own (no process-wide globals).

Per operation: latency histograms and errors by code; the response cache's hits, misses and
evictions. The event store: appends, events
appended, and version conflicts. Projections: position, lag in events and seconds, and
consecutive failures, read at scrape time. Pools: connections in use and their size.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import asyncpg
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from cso.eventstore import ConcurrencyConflict, EventStore
from cso.logs import note_operation
from cso.projections.supervisor import ProjectionStatus

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Operation names are the clients' to choose: past this many, the rest share one label.
MAX_OPERATION_LABELS = 200
OTHER_OPERATIONS = "(other)"


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        self.operations = Histogram(
            "cso_graphql_operation_seconds",
            "GraphQL operations by name (root fields when unnamed), type and outcome.",
            ["operation", "type", "outcome"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self._operation_names: set[str] = set()
        # Each labelled child, looked up once: prometheus_client's `labels()` checks and
        # joins the values and takes a lock on every call.
        self._operation_children: dict[tuple[str, str, str], Any] = {}
        self._error_children: dict[str, Any] = {}
        self.errors = Counter(
            "cso_graphql_errors_total",
            "GraphQL errors by extensions.code.",
            ["code"],
            registry=self.registry,
        )
        self.appends = Counter(
            "cso_eventstore_appends_total",
            "Appends committed by this process (one transaction each, over one or more streams).",
            registry=self.registry,
        )
        self.appended_events = Counter(
            "cso_eventstore_appended_events_total",
            "Events committed by this process's appends.",
            registry=self.registry,
        )
        self.conflicts = Counter(
            "cso_eventstore_conflicts_total",
            "Appends refused because a stream was not at the expected version.",
            registry=self.registry,
        )
        self.position = self._per_projection(
            "cso_projection_position", "Position of the last event a projection applied."
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
        self.response_cache_hits = Counter(
            "cso_response_cache_hits_total",
            "Queries answered from the response cache.",
            registry=self.registry,
        )
        self.response_cache_misses = Counter(
            "cso_response_cache_misses_total",
            "Cacheable queries executed: no entry (absent), the database moved on (stale), or its "
            "state could not be read cheaply (unknown: an old transaction holds the watermark).",
            ["reason"],
            registry=self.registry,
        )
        self.response_cache_evictions = Counter(
            "cso_response_cache_evictions_total",
            "Response cache entries dropped to stay within its size caps (least recently used).",
            registry=self.registry,
        )
        self.response_cache_bytes = Gauge(
            "cso_response_cache_bytes",
            "Bytes of encoded answers the response cache holds.",
            registry=self.registry,
        )
        self.pool_in_use = Gauge(
            "cso_pool_connections_in_use",
            "Connections handed out, by pool (write: commands and loads; read: query snapshots).",
            ["pool"],
            registry=self.registry,
        )
        self.pool_size = Gauge(
            "cso_pool_connections",
            "Connections open, by pool.",
            ["pool"],
            registry=self.registry,
        )
        self.pool_max = Gauge(
            "cso_pool_max_connections",
            "Largest size of each pool.",
            ["pool"],
            registry=self.registry,
        )

    def observe_operation(self, label: str, kind: str, outcome: str, seconds: float) -> None:
        """One operation's latency, under `label` (see `operation_label`), its type and
        outcome ("ok" or "error")."""
        key = (label, kind, outcome)
        child = self._operation_children.get(key)
        if child is None:
            child = self._operation_children[key] = self.operations.labels(*key)
        child.observe(seconds)

    def count_error(self, code: str) -> None:
        """One GraphQL error of `extensions.code` `code`."""
        child = self._error_children.get(code)
        if child is None:
            child = self._error_children[code] = self.errors.labels(code)
        child.inc()

    def _per_projection(self, name: str, documentation: str) -> Gauge:
        """A gauge with one value per projection, labelled by its name."""
        return Gauge(name, documentation, ["projection"], registry=self.registry)

    def operation_label(self, name: str) -> str:
        """`name`, or OTHER_OPERATIONS once MAX_OPERATION_LABELS others have been seen."""
        if name in self._operation_names:
            return name
        if len(self._operation_names) >= MAX_OPERATION_LABELS:
            return OTHER_OPERATIONS
        self._operation_names.add(name)
        return name

    def render(
        self,
        statuses: Sequence[ProjectionStatus],
        pools: dict[str, asyncpg.Pool[Any]] | None = None,
    ) -> bytes:
        """The exposition text, with projection lag and pool usage read at scrape time."""
        for status in statuses:
            self.position.labels(status.name).set(status.position)
            self.lag_events.labels(status.name).set(status.lag_events)
            self.lag_seconds.labels(status.name).set(status.lag_seconds or 0.0)
            self.projection_failures.labels(status.name).set(status.failures)
        for name, pool in (pools or {}).items():
            size = pool.get_size()
            self.pool_size.labels(name).set(size)
            self.pool_in_use.labels(name).set(size - pool.get_idle_size())
            self.pool_max.labels(name).set(pool.get_max_size())
        return generate_latest(self.registry)


class MeasuredEventStore(EventStore):
    """The event store, counting its appends, their events and its conflicts."""

    def __init__(self, pool: asyncpg.Pool[Any], metrics: Metrics) -> None:
        super().__init__(pool)
        self.metrics = metrics

    async def append(self, streams: Sequence[Any], *args: Any, **kwargs: Any) -> Any:
        try:
            result = await super().append(streams, *args, **kwargs)
        except ConcurrencyConflict:
            self.metrics.conflicts.inc()
            raise
        self.metrics.appends.inc()
        self.metrics.appended_events.inc(sum(len(stream.events) for stream in streams))
        return result


def operation_name(execution_context: ExecutionContext) -> str:
    """The operation's name; for an unnamed one, its root fields joined by commas
    ("(introspection)" when it asks only for `__schema`, `__type` or `__typename`)."""
    # Imported here: the GraphQL package imports the runtime, which imports this module.
    from cso.graphql.permissions import root_fields

    if execution_context.operation_name:
        return execution_context.operation_name
    document = execution_context.graphql_document
    if document is None:  # it did not parse
        return ""
    return ",".join(root_fields(document, None)) or "(introspection)"  # only __ fields


class OperationMetrics(SchemaExtension):
    """Times each operation and counts its errors by code; notes them for the request log."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        escaped: Exception | None = None
        try:
            yield
        except Exception as exc:  # an extension's refusal (cso.graphql.permissions)
            escaped = exc
            raise
        finally:
            self._record(time.perf_counter() - started, escaped)

    def _record(self, seconds: float, escaped: Exception | None) -> None:
        execution = self.execution_context
        result = execution.result
        # A document that failed to parse or validate leaves no result, only these.
        errors = getattr(result, "errors", None) or execution.pre_execution_errors or ()
        try:
            kind = execution.operation_type.value
        except RuntimeError:  # the document did not parse: no operation to name
            kind = "unknown"
        record_operation(
            execution.context, seconds, errors, escaped, kind, operation_name(execution)
        )


def record_operation(
    context: Any,
    seconds: float,
    errors: Iterable[Any],
    escaped: Exception | None,
    kind: str,
    name: str,
) -> None:
    """Counts one operation of `kind` named `name` that took `seconds`, its errors by code
    (and the code of `escaped`, an exception an extension raised), and notes it for the
    request log. Nothing without the runtime's metrics on `context`."""
    metrics: Metrics | None = getattr(getattr(context, "runtime", None), "metrics", None)
    if metrics is None:
        return
    codes = [str((error.extensions or {}).get("code", "INTERNAL")) for error in errors]
    if escaped is not None:
        codes.append(str(getattr(escaped, "code", "INTERNAL")))
    label = metrics.operation_label(name or "(none)")
    outcome = "error" if codes else "ok"
    metrics.observe_operation(label, kind, outcome, seconds)
    for code in codes:
        metrics.count_error(code)
    viewer = getattr(context, "maybe_viewer", None)
    note_operation(
        context.request.scope,
        operation=name,
        operation_type=kind,
        error_codes=codes,
        actor_id=getattr(viewer, "id", None),
    )
