"""Keep the bot token out of every log line.

The Bot API puts the token in the URL path, and HTTP client libraries log request URLs; a filter on the
root handlers rewrites any record that contains it, whoever logged it.
"""

from __future__ import annotations

import logging


class RedactToken(logging.Filter):
    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg = message.replace(self.token, "<token>")
            record.args = None
        if record.exc_info and record.exc_info[1] is not None and self.token in str(record.exc_info[1]):
            record.exc_text = (
                logging.Formatter().formatException(record.exc_info).replace(self.token, "<token>")
            )
            record.exc_info = None
        return True


def protect_token(token: str) -> None:
    if not token:
        return
    # httpx logs every request URL at INFO, and the URL holds the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.WARNING)
    for handler in root.handlers:
        if not any(isinstance(f, RedactToken) and f.token == token for f in handler.filters):
            handler.addFilter(RedactToken(token))
