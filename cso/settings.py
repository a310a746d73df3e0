"""Configuration, read once from the environment at the composition root."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# HS256 with a shorter key is guessable offline from one token (RFC 7518 §3.2 asks for
# at least the hash's size, 256 bits).
MIN_SECRET_BYTES = 32
DEV_SECRET_FILE = "jwt-secret"


class ConfigurationError(Exception):
    """A setting the server cannot run with; the message says which and what to do."""


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str | None
    jwt_secret: str
    host: str
    port: int
    data_dir: Path
    pool_min_size: int
    pool_max_size: int
    read_pool_max_size: int
    snapshot_interval: int
    cache_size: int
    run_projections: bool
    log_level: str
    idle_in_transaction_timeout_ms: int
    timezone: str
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    cors_origins: tuple[str, ...] = ()
    response_cache: bool = False
    response_cache_entries: int = 2000
    response_cache_bytes: int = 64 * 1024 * 1024
    persisted_queries: str = "auto"  # one of PERSISTED_QUERY_MODES
    persisted_queries_file: Path | None = None
    persisted_queries_size: int = 2000
    tracing: str = "off"
    request_timeout_seconds: float = 30.0
    ws_messages_per_second: float = 50.0
    ws_max_operations: int = 100

    def checked_jwt_secret(self) -> str:
        """The secret tokens are signed with; ConfigurationError when unset or too short."""
        return check_jwt_secret(self.jwt_secret)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        return cls(
            database_url=env.get("CSO_DATABASE_URL") or None,
            jwt_secret=env.get("CSO_JWT_SECRET") or "",
            host=env.get("CSO_HOST", "127.0.0.1"),
            port=int(env.get("CSO_PORT", "8000")),
            data_dir=Path(env.get("CSO_DATA_DIR", ".cso")),
            pool_min_size=int(env.get("CSO_POOL_MIN_SIZE", "2")),
            pool_max_size=int(env.get("CSO_POOL_MAX_SIZE", "20")),
            read_pool_max_size=int(env.get("CSO_READ_POOL_MAX_SIZE", "10")),
            snapshot_interval=int(env.get("CSO_SNAPSHOT_INTERVAL", "100")),
            cache_size=int(env.get("CSO_CACHE_SIZE", "1000")),
            run_projections=env.get("CSO_RUN_PROJECTIONS", "1") not in ("0", "false", "no"),
            log_level=env.get("CSO_LOG_LEVEL", "info"),
            idle_in_transaction_timeout_ms=int(env.get("CSO_IDLE_TX_TIMEOUT_MS", "30000")),
            timezone=env.get("CSO_TIMEZONE", "Asia/Shanghai"),
            jwt_issuer=env.get("CSO_JWT_ISSUER") or None,
            jwt_audience=env.get("CSO_JWT_AUDIENCE") or None,
            cors_origins=tuple(
                origin.strip()
                for origin in env.get("CSO_CORS_ORIGINS", "").split(",")
                if origin.strip()
            ),
            response_cache=_switch(env, "CSO_RESPONSE_CACHE", "off"),
            response_cache_entries=int(env.get("CSO_RESPONSE_CACHE_ENTRIES", "2000")),
            response_cache_bytes=int(env.get("CSO_RESPONSE_CACHE_MB", "64")) * 1024 * 1024,
            persisted_queries=_persisted_query_mode(env.get("CSO_PERSISTED_QUERIES", "auto")),
            persisted_queries_file=(
                Path(env["CSO_PERSISTED_QUERIES_FILE"])
                if env.get("CSO_PERSISTED_QUERIES_FILE")
                else None
            ),
            persisted_queries_size=int(env.get("CSO_PERSISTED_QUERIES_SIZE", "2000")),
            tracing=env.get("CSO_TRACING", "off").strip().lower() or "off",
            request_timeout_seconds=float(env.get("CSO_REQUEST_TIMEOUT_SECONDS", "30")),
            ws_messages_per_second=float(env.get("CSO_WS_MESSAGES_PER_SECOND", "50")),
            ws_max_operations=int(env.get("CSO_WS_MAX_OPERATIONS", "100")),
        )


# auto: Apollo's automatic persisted queries; allowlist: only the documents of a manifest;
# off: a request that names a document by hash alone is answered PERSISTED_QUERY_NOT_SUPPORTED.
PERSISTED_QUERY_MODES = ("auto", "allowlist", "off")


def _switch(env: Mapping[str, str], name: str, default: str) -> bool:
    value = env.get(name, default).strip().lower()
    if value in ("on", "1", "true", "yes"):
        return True
    if value in ("off", "0", "false", "no"):
        return False
    raise ConfigurationError(f"{name} must be on or off, not {value!r}")


def _persisted_query_mode(value: str) -> str:
    mode = value.strip().lower()
    if mode not in PERSISTED_QUERY_MODES:
        raise ConfigurationError(
            f"CSO_PERSISTED_QUERIES must be one of {', '.join(PERSISTED_QUERY_MODES)}, "
            f"not {value!r}"
        )
    return mode


def check_jwt_secret(secret: str) -> str:
    """`secret` if it may sign tokens; ConfigurationError saying what to do otherwise."""
    if not secret:
        raise ConfigurationError(
            "CSO_JWT_SECRET is not set: set it to a random value of at least "
            f"{MIN_SECRET_BYTES} bytes (or run `cso serve --dev` on a development machine)"
        )
    if len(secret.encode()) < MIN_SECRET_BYTES:
        raise ConfigurationError(
            f"CSO_JWT_SECRET is shorter than {MIN_SECRET_BYTES} bytes: use a longer random value"
        )
    return secret


def development_secret(data_dir: Path) -> str:
    """The development secret kept in `data_dir` (git-ignored), made at random on first use.

    Only `cso serve --dev` and `cso token` fall back to it when CSO_JWT_SECRET is unset: a
    secret written in the source would let anyone mint a supervisor token.
    """
    path = data_dir / DEV_SECRET_FILE
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(secret + "\n")
    return secret
