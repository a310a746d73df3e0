"""Choosing the tracing mode."""

from __future__ import annotations

import pytest

from cso.settings import ConfigurationError, Settings
from cso.tracing import Tracing


def test_tracing_is_off_unless_asked_for() -> None:
    settings = Settings.from_env({})
    assert settings.tracing == "off"
    assert Tracing.from_mode(settings.tracing) is None


def test_an_unknown_tracing_mode_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="CSO_TRACING must be one of off, otlp"):
        Tracing.from_mode("jaeger")


def test_console_tracing_builds_a_provider() -> None:
    tracing = Tracing.from_mode("console")
    assert tracing is not None
    tracing.shutdown()


def test_a_missing_extra_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("cso.tracing._importable", lambda module: False)
    with pytest.raises(ConfigurationError, match=r"pip install 'cso\[otel\]'"):
        Tracing.from_mode("otlp")
