"""The bot's settings: the retrieval ones plus Telegram, webhook and GOV.UK sync."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode

from retrieval.config import Settings


class BotSettings(Settings):
    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    # A webhook without a secret takes updates from anyone who finds its URL; only on purpose.
    webhook_insecure: bool = False
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    # Whether `run` registers WEBHOOK_URL with Telegram at start. Off: several workers behind one URL
    # would each register it again; `python -m bot set-webhook` does it once.
    webhook_register: bool = False
    # Questions, commands and button presses one chat may send in a minute; 0: no limit.
    chat_questions_per_minute: int = Field(default=20, ge=0)
    sync_interval: int = 600
    # Telegram user ids that may run /stats, e.g. ADMIN_IDS=12345,67890.
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    # The hour (0-23, UTC) at which daily digests go out.
    digest_hour: int = Field(default=8, ge=0, le=23)
    # Seconds a worker may take to send one alert it claimed; if it dies first, the alert is sent again
    # (by whichever worker runs then) once this has passed.
    alert_claim_seconds: float = Field(default=120.0, gt=0)
    govuk_api_base_url: str = "https://www.gov.uk"
    govuk_requests_per_second: float = 3.0
    # How patient the GOV.UK client is: seconds per request, retries of a transient fault (timeout,
    # 5xx, 429), and the first backoff (doubled on each retry). Search results per page for a sync.
    govuk_timeout: float = Field(default=10.0, gt=0)
    govuk_retries: int = Field(default=3, ge=0)
    govuk_backoff: float = Field(default=0.5, ge=0)
    sync_page_size: int = Field(default=100, ge=1, le=1500)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _ids(cls, value: object) -> object:
        # "12345, 67890" as .env writes it; a list or set as code passes it.
        if isinstance(value, str):
            return frozenset(int(part) for part in value.replace(",", " ").split())
        return value


_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts as a webhook secret_token


def webhook_problem(settings: BotSettings) -> str | None:
    """Why the webhook must not start as configured, in words for whoever runs the bot; None: fine."""
    if not settings.webhook_url:
        return None
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    if secret and not _SECRET.fullmatch(secret):
        return (
            "WEBHOOK_SECRET may only hold letters, digits, _ and - (1 to 256 of them); Telegram refuses "
            "any other."
        )
    if not secret and not settings.webhook_insecure:
        return (
            "WEBHOOK_URL is set without WEBHOOK_SECRET: anyone who finds the URL could send the bot "
            "forged updates for any chat. Set WEBHOOK_SECRET (letters, digits, _ and -), or "
            "WEBHOOK_INSECURE=1 to run without one anyway."
        )
    return None
