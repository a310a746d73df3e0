"""OpenTelemetry tracing, an optional extra (`pip install 'cso[otel]'`), off by default.

`CSO_TRACING=otlp` exports over OTLP/HTTP to the collector the standard OpenTelemetry
variables name (`OTEL_EXPORTER_OTLP_ENDPOINT`, default http://localhost:4318; `OTEL_SERVICE_NAME`,
default "cso"); `CSO_TRACING=console` prints spans to standard output for a look on a
development machine. One span per HTTP request or WebSocket connection (the ASGI
instrumentation, without its per-message receive/send spans) and one per command (a
mutation's use case, with its appends) — never one per GraphQL field, which would cost more
than the work it measures.
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING, Any

from starlette.middleware import Middleware

from cso.services.application import Application, Attempt, Changed, Command
from cso.settings import ConfigurationError

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from opentelemetry.trace import Tracer

TRACING_MODES = ("off", "otlp", "console")
INSTRUMENTATION = "cso"
# The modules the extra brings; checked before any is imported, so a missing one is a
# configuration error that says what to install rather than an ImportError at start.
_EXTRA_MODULES = (
    "opentelemetry.sdk.trace",
    "opentelemetry.instrumentation.asgi",
    "opentelemetry.exporter.otlp.proto.http.trace_exporter",
)


class Tracing:
    """A tracer provider and what the composition root hangs on it: the request middleware
    and the traced application. Built by `Tracing.from_mode`, or from a provider in tests."""

    def __init__(self, provider: TracerProvider) -> None:
        self.provider = provider
        self.tracer: Tracer = provider.get_tracer(INSTRUMENTATION)

    @classmethod
    def from_mode(cls, mode: str) -> Tracing | None:
        """None for "off"; otherwise a provider exporting in batches to OTLP/HTTP or the
        console. Raises ConfigurationError for an unknown mode or when the extra is missing."""
        if mode not in TRACING_MODES:
            raise ConfigurationError(
                f"CSO_TRACING must be one of {', '.join(TRACING_MODES)}, not {mode[:40]!r}"
            )
        if mode == "off":
            return None
        missing = [name for name in _EXTRA_MODULES if not _importable(name)]
        if missing:
            raise ConfigurationError(
                f"CSO_TRACING={mode} needs the OpenTelemetry extra: pip install 'cso[otel]' "
                f"(missing {', '.join(missing)})"
            )
        return cls.exporting(_exporter(mode))

    @classmethod
    def exporting(cls, exporter: SpanExporter, *, batched: bool = True) -> Tracing:
        """A provider named by OTEL_SERVICE_NAME (else "cso") sending spans to `exporter`;
        `batched=False` sends each span as it ends (tests)."""
        from opentelemetry.sdk.resources import OTELResourceDetector, Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

        resource = Resource.create({"service.name": "cso"}).merge(OTELResourceDetector().detect())
        provider = TracerProvider(resource=resource)
        processor = BatchSpanProcessor(exporter) if batched else SimpleSpanProcessor(exporter)
        provider.add_span_processor(processor)
        return cls(provider)

    def middleware(self) -> list[Middleware]:
        """The ASGI instrumentation: a server span per request or WebSocket connection."""
        from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

        return [
            Middleware(
                OpenTelemetryMiddleware,
                tracer_provider=self.provider,
                exclude_spans=["receive", "send"],
                excluded_urls="healthz,readyz,metrics",
            )
        ]

    def application(self, *args: Any, **kwargs: Any) -> Application:
        """An Application whose every command runs in a span (arguments as Application's)."""
        return TracedApplication(self.tracer, *args, **kwargs)

    def shutdown(self) -> None:
        """Sends the spans still buffered, then stops exporting."""
        self.provider.shutdown()


class TracedApplication(Application):
    """Application, with one INTERNAL span per command: `command <mutation>`, carrying the
    correlation id, the actor, and the ids the command changed or the error it raised."""

    def __init__(self, tracer: Tracer, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tracer = tracer

    async def execute(self, command: Command, attempt: Attempt) -> Changed:
        mutation = (command.operation or "command").split(":", 1)[0]
        attributes = {
            "cso.command": mutation,
            "cso.correlation_id": command.correlation_id,
            "enduser.id": command.principal.id,
            "enduser.role": command.principal.role.value,
        }
        with self._tracer.start_as_current_span(f"command {mutation}", attributes=attributes):
            return await super().execute(command, attempt)


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a parent package is missing
        return False


def _exporter(mode: str) -> SpanExporter:
    if mode == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter()
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()
