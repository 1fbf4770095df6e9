"""Settings from the environment (``NARAVARD_*``); nothing secret lives in code or files."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DB_PATH = Path("var") / "naravard.db"


@dataclass(frozen=True)
class Settings:
    """Runtime settings; see README for every variable."""

    database_url: str
    data_dir: Path
    session_hours: int
    secure_cookies: str  # "auto" (Secure when the request came over https), "always" or "never"
    default_language: str
    login_max_failures: int
    login_window_minutes: int


def load_settings() -> Settings:
    """Read the ``NARAVARD_*`` environment variables, with defaults for the embedded set-up."""
    data_dir = Path(os.environ.get("NARAVARD_DATA_DIR", "var"))
    url = os.environ.get("NARAVARD_DATABASE_URL") or f"sqlite:///{data_dir / 'naravard.db'}"
    return Settings(
        database_url=url,
        data_dir=data_dir,
        session_hours=int(os.environ.get("NARAVARD_SESSION_HOURS", "8")),
        secure_cookies=os.environ.get("NARAVARD_SECURE_COOKIES", "auto"),
        default_language=os.environ.get("NARAVARD_LANGUAGE", "sv"),
        login_max_failures=int(os.environ.get("NARAVARD_LOGIN_MAX_FAILURES", "5")),
        login_window_minutes=int(os.environ.get("NARAVARD_LOGIN_WINDOW_MINUTES", "15")),
    )
