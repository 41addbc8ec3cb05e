"""Settings read from the environment and .env (see .env.example for each one)."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    # Empty values (TELEGRAM_BOT_TOKEN= as in .env.example) mean "not set", not an empty string.
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    database_url: str = "sqlite:///data/announcements.db"
    index_dir: Path | None = None
    seeds_dir: Path = PROJECT_ROOT / "seeds"

    def resolved_index_dir(self) -> Path:
        """Beside the SQLite file, so that two stores never share an index; ./data/index otherwise."""
        if self.index_dir is not None:
            return self.index_dir
        url = make_url(self.database_url)
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            db = Path(url.database)
            return db.with_name(db.name + ".index")
        return Path("data") / "index"
