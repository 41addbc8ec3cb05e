"""Settings read from the environment and .env (see .env.example for each one)."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL, make_url

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
        """INDEX_DIR if set; else beside the SQLite file, or for a database server a folder under ./data
        named after the database (host, port, name, and schema when the URL sets one), so that two
        stores never share an index."""
        if self.index_dir is not None:
            return self.index_dir
        url = make_url(self.database_url)
        if url.get_backend_name() == "sqlite":
            if url.database in (None, "", ":memory:"):
                return Path("data") / "index"
            db = Path(url.database)
            return db.with_name(db.name + ".index")
        return Path("data") / f"{server_store_name(url)}.index"


def server_store_name(url: URL) -> str:
    """host-port-database[-schema], in characters safe for a folder name."""
    options = url.query.get("options", "")
    joined = " ".join(options) if isinstance(options, tuple) else options
    schema = re.search(r"search_path\s*=\s*([^\s,]+)", joined)
    parts = [url.host or "localhost", str(url.port or ""), url.database or ""]
    if schema:
        parts.append(schema.group(1))
    return "-".join(re.sub(r"[^A-Za-z0-9._]+", "_", p) for p in parts if p)
