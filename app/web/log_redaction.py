"""Keeps calendar feed tokens out of the logs.

A feed's address holds its token (``/feeds/<token>.ics``), and the token is the only
credential a calendar program sends. uvicorn's access log writes every request path, and the
error log writes the path of a failed request, so a filter on those loggers replaces the
token before a record is written. ``install`` is called when the application is created
(after uvicorn has configured logging, which keeps filters already on a logger).
"""

from __future__ import annotations

import logging
import re

FEED_TOKEN_RE = re.compile(r"(/feeds/)[^/?#\s\"']+")
REDACTED = r"\1[redacted].ics"
LOGGERS = ("uvicorn.access", "uvicorn.error", "uvicorn", "overgang", "overgang.errors")


def redact(text: str) -> str:
    return FEED_TOKEN_RE.sub(REDACTED, text)


class RedactFeedTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v
                           for k, v in record.args.items()}
        return True


_FILTER = RedactFeedTokens()


def install() -> None:
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
