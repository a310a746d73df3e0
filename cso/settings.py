"""Configuration, read once from the environment at the composition root."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEV_JWT_SECRET = "cso-development-secret-not-for-production-use"


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

    @property
    def jwt_secret_is_default(self) -> bool:
        return self.jwt_secret == DEV_JWT_SECRET

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        return cls(
            database_url=env.get("CSO_DATABASE_URL") or None,
            jwt_secret=env.get("CSO_JWT_SECRET") or DEV_JWT_SECRET,
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
        )
