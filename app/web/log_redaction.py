"""Keeps calendar feed tokens, meeting reply tokens and CPR numbers typed into a search out of
the logs.

A feed's address holds its token (``/feeds/<token>.ics``), and the token is the only
credential a calendar program sends; a reply link (``/meetings/reply/<token>``) is the only
credential an invitee has, and in its first format it held the ids and the expiry in clear.
uvicorn's access log writes every request path, and the error log writes the path of a
failed request, so a filter on those loggers replaces the tokens before a record is written.
``install`` is called when the application is created (after uvicorn has configured logging,
which keeps filters already on a logger).
"""

from __future__ import annotations

import logging
import re

FEED_TOKEN_RE = re.compile(r"(/feeds/)[^/?#\s\"']+")
REDACTED = r"\1[redacted].ics"
REPLY_TOKEN_RE = re.compile(r"(/meetings/reply/)[^/?#\s\"']+")
REPLY_REDACTED = r"\1[redacted]"
# A CPR-like number in a query string (a name search someone typed one into; the app refuses
# it, but the request line is logged before): six digits, an optional separator, four digits.
CPR_IN_QUERY_RE = re.compile(r"(?<![0-9])[0-9]{6}(?:-|%2D|%2d|\+|%20|%E2%80%93|%e2%80%93)?[0-9]{4}"
                             r"(?![0-9])")
LOGGERS = ("uvicorn.access", "uvicorn.error", "uvicorn", "overgang", "overgang.errors")


def redact(text: str) -> str:
    text = REPLY_TOKEN_RE.sub(REPLY_REDACTED, FEED_TOKEN_RE.sub(REDACTED, text))
    if "?" in text:
        head, _, query = text.partition("?")
        text = f"{head}?{CPR_IN_QUERY_RE.sub('[cpr]', query)}"
    return text


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v
                           for k, v in record.args.items()}
        return True


_FILTER = RedactTokens()


def install() -> None:
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
