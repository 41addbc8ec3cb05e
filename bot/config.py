"""The bot's settings: the retrieval ones plus Telegram, webhook and GOV.UK sync."""

from __future__ import annotations

from pydantic import SecretStr

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
