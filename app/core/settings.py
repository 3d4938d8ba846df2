"""Application settings, read from the environment with the `DDR_` prefix."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.core.security import CHEAP_HASHING, HASHING_ENV

DEFAULT_SECRET = "dev-only-change-me"


class ConfigurationError(RuntimeError):
    """The service is configured in a way it must refuse to start with."""


class Settings(BaseSettings):
    """Every setting of the service; see the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="DDR_", env_file=None, extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///./ddr.db"
    master_key: SecretStr | None = None
    master_key_file: Path = Path("./ddr_master.key")
    previous_master_keys: SecretStr | None = Field(
        default=None, description="comma-separated base64 keys still accepted for decryption"
    )
    retired_master_keys: SecretStr | None = Field(
        default=None, description="comma-separated base64 keys retired from every field, kept "
        "to verify the audit chain's older links and to read older backups")
    retention_days: dict[str, int] = Field(
        default_factory=dict, description="retention period in days per category of personal "
        "data, as JSON (e.g. {\"contact\": 1825}); `ddr retention apply` shreds what expired")
    secret_key: SecretStr = SecretStr(DEFAULT_SECRET)
    token_ttl_minutes: int = 8 * 60
    session_idle_minutes: int = 30
    sqlite_busy_timeout_ms: int = 10_000
    max_upload_bytes: int = 20 * 1024 * 1024
    stats_refresh_seconds: int = Field(
        default=300, ge=0, description="how long computed statistics are served before they "
        "are computed again (0: every request)")
    log_level: str = "INFO"
    cross_site_checks_per_hour: int = Field(
        default=60, ge=1, description="duplicate checks per user and hour that may show "
        "candidates registered at sites outside the user's (then 429 until the hour passes)")
    match_model: Path | None = Field(
        default=None, description="match model file in use; the shipped model when unset"
    )

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is SQLite."""
        return self.database_url.startswith("sqlite")

    def check_secure(self) -> None:
        """Refuse to run outside development with a default secret or no master key."""
        if self.env == "development":
            return
        if self.secret_key.get_secret_value() == DEFAULT_SECRET:
            raise ConfigurationError(
                "DDR_SECRET_KEY is the development default; set a random secret outside development"
            )
        if self.master_key is None and not self.master_key_file.exists():
            raise ConfigurationError(
                "no master key: set DDR_MASTER_KEY or create a key file with `ddr init` "
                f"(looked for {self.master_key_file})"
            )
        if self.env == "production" and CHEAP_HASHING:
            raise ConfigurationError(
                f"{HASHING_ENV}=cheapest is for test suites; unset it in production")


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings (read once from the environment)."""
    return Settings()
