"""The bot's settings: the retrieval ones plus Telegram, webhook and GOV.UK sync."""

from __future__ import annotations

from pydantic import Field, SecretStr

from retrieval.config import Settings


class BotSettings(Settings):
    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    sync_interval: int = 600
    govuk_api_base_url: str = "https://www.gov.uk"
    govuk_requests_per_second: float = 3.0
    # How patient the GOV.UK client is: seconds per request, retries of a transient fault (timeout,
    # 5xx, 429), and the first backoff (doubled on each retry). Search results per page for a sync.
    govuk_timeout: float = Field(default=10.0, gt=0)
    govuk_retries: int = Field(default=3, ge=0)
    govuk_backoff: float = Field(default=0.5, ge=0)
    sync_page_size: int = Field(default=100, ge=1, le=1500)
