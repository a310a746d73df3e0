"""Configuration: no JWT secret in the source; a short one refused; CORS origins listed."""

from __future__ import annotations

import stat
from pathlib import Path

import jwt
import pytest
from typer.testing import CliRunner

from cso.app import create_app
from cso.cli import app as cli
from cso.settings import ConfigurationError, Settings, check_jwt_secret, development_secret

LONG_ENOUGH = "s" * 32


def test_without_a_secret_the_settings_hold_none_and_refuse_to_be_used() -> None:
    settings = Settings.from_env({})
    assert settings.jwt_secret == ""
    with pytest.raises(ConfigurationError, match="CSO_JWT_SECRET is not set"):
        settings.checked_jwt_secret()


def test_a_secret_shorter_than_32_bytes_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="shorter than 32 bytes"):
        check_jwt_secret("s" * 31)
    assert check_jwt_secret(LONG_ENOUGH) == LONG_ENOUGH


def test_the_app_refuses_to_be_made_without_a_usable_secret() -> None:
    for env in ({}, {"CSO_JWT_SECRET": "short"}):
        with pytest.raises(ConfigurationError):
            create_app(Settings.from_env(env))
    create_app(Settings.from_env({"CSO_JWT_SECRET": LONG_ENOUGH}))


def test_serve_without_dev_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    env = {"CSO_JWT_SECRET": "", "CSO_DATA_DIR": str(tmp_path)}
    result = CliRunner().invoke(cli, ["serve"], env=env)
    assert result.exit_code == 2
    assert "CSO_JWT_SECRET is not set" in result.output
    result = CliRunner().invoke(cli, ["serve"], env={**env, "CSO_JWT_SECRET": "too-short"})
    assert result.exit_code == 2
    assert "shorter than 32 bytes" in result.output


def test_the_development_secret_is_random_kept_private_and_reused(tmp_path: Path) -> None:
    first = development_secret(tmp_path / "data")
    assert len(first.encode()) >= 32
    assert development_secret(tmp_path / "data") == first
    assert development_secret(tmp_path / "other") != first
    mode = (tmp_path / "data" / "jwt-secret").stat().st_mode
    assert stat.S_IMODE(mode) == 0o600


def test_the_cli_signs_tokens_with_the_development_secret_when_none_is_set(
    tmp_path: Path,
) -> None:

    env = {"CSO_JWT_SECRET": "", "CSO_DATA_DIR": str(tmp_path)}
    result = CliRunner().invoke(cli, ["token", "--role", "viewer"], env=env)
    assert result.exit_code == 0, result.output
    secret = development_secret(tmp_path)
    assert jwt.decode(result.output.strip(), secret, algorithms=["HS256"])["role"] == "viewer"


def test_cors_origins_are_read_as_a_comma_separated_list() -> None:
    settings = Settings.from_env({"CSO_CORS_ORIGINS": " https://a.example, https://b.example ,"})
    assert settings.cors_origins == ("https://a.example", "https://b.example")
    assert Settings.from_env({}).cors_origins == ()


def test_the_response_cache_is_off_unless_switched_on() -> None:
    assert Settings.from_env({}).response_cache is False
    assert Settings.from_env({"CSO_RESPONSE_CACHE": "on"}).response_cache is True
    with pytest.raises(ConfigurationError, match="CSO_RESPONSE_CACHE must be on or off"):
        Settings.from_env({"CSO_RESPONSE_CACHE": "sometimes"})


def test_persisted_queries_are_automatic_unless_set_otherwise() -> None:
    assert Settings.from_env({}).persisted_queries == "auto"
    assert Settings.from_env({"CSO_PERSISTED_QUERIES": "OFF"}).persisted_queries == "off"
    with pytest.raises(ConfigurationError, match="CSO_PERSISTED_QUERIES must be one of"):
        Settings.from_env({"CSO_PERSISTED_QUERIES": "strict"})


def test_an_allow_list_without_a_manifest_refuses_to_start(tmp_path: Path) -> None:
    env = {"CSO_JWT_SECRET": LONG_ENOUGH, "CSO_PERSISTED_QUERIES": "allowlist"}
    with pytest.raises(ConfigurationError, match="needs CSO_PERSISTED_QUERIES_FILE"):
        create_app(Settings.from_env(env))
    missing = {**env, "CSO_PERSISTED_QUERIES_FILE": str(tmp_path / "absent.json")}
    with pytest.raises(ConfigurationError, match=r"absent\.json"):
        create_app(Settings.from_env(missing))
