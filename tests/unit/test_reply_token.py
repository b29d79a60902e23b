"""Reply links: signed with the app's key, expiring at the meeting's end, and never holding
anything that reads as a CPR number, whatever the ids and the expiry."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import UTC, datetime, timedelta

import pytest

from app.domain.cpr import contains_cpr_like
from app.domain.meeting import (
    ReplyTokenError,
    _token,
    read_reply_token,
    reply_token,
)

KEY = b"reply-key-" + b"x" * 32
BEFORE = datetime(2026, 1, 1, tzinfo=UTC)
# 11:00 in Copenhagen on 28 March 2027 is Unix time 1806224400: read as CPR 180622-4400.
END_2027_03_28 = datetime(2027, 3, 28, 9, 0, tzinfo=UTC)


def _ends_in_every_month() -> list[datetime]:
    return [datetime(year, month, 28, 10, 0, tzinfo=UTC)
            for year in range(2027, 2031) for month in range(1, 13)]


def _legacy(key: bytes, invitee: int, meeting: int, expires: datetime) -> str:
    """A link in the first format, as sent before: ``invitee.meeting.expiry.signature``."""
    payload = f"{invitee}.{meeting}.{int(expires.timestamp())}"
    digest = hmac.new(key, f"meeting-reply|{payload}".encode(), hashlib.sha256).digest()
    return f"{payload}.{base64.urlsafe_b64encode(digest[:20]).decode().rstrip('=')}"


def test_the_link_of_a_meeting_ending_on_28_march_2027_reads_as_no_cpr_number():
    assert int(END_2027_03_28.timestamp()) == 1806224400
    token = reply_token(KEY, 41, 7, END_2027_03_28)
    assert not contains_cpr_like(f"https://overgang.kommune.dk/meetings/reply/{token}")
    assert "1806224400" not in token


@pytest.mark.parametrize("ends", _ends_in_every_month(), ids=lambda d: f"{d:%Y-%m}")
def test_no_token_holds_six_digits_in_a_row(ends):
    for invitee, meeting in ((1, 1), (17, 4), (4321, 999), (2_147_483_647, 2_147_483_646)):
        token = reply_token(KEY, invitee, meeting, ends)
        assert re.search(r"[0-9]{6}", token) is None, token
        assert not contains_cpr_like(token)
        claim = read_reply_token(KEY, token, BEFORE)
        assert (claim.invitee_id, claim.meeting_id, claim.expires) == (invitee, meeting, ends)


def test_a_token_whose_first_spelling_has_six_digits_is_spelled_again():
    seconds = int(END_2027_03_28.timestamp())
    # The first invitee id whose first spelling has a run of six digits (about one in 1,300).
    invitee = next(i for i in range(1, 100_000)
                   if re.search(r"[0-9]{6}", _token(KEY, 0, i, 7, seconds)))
    token = reply_token(KEY, invitee, 7, END_2027_03_28)
    assert token != _token(KEY, 0, invitee, 7, seconds)
    assert re.search(r"[0-9]{6}", token) is None
    assert read_reply_token(KEY, token, BEFORE).invitee_id == invitee


def test_an_altered_foreign_or_malformed_token_is_refused():
    token = reply_token(KEY, 41, 7, END_2027_03_28)
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    raw[16] ^= 1  # meeting 7 becomes 6, signature kept
    altered = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    other_key = reply_token(b"another-key-" + b"y" * 32, 41, 7, END_2027_03_28)
    respelled = token[:5] + "+" + token[6:]  # "+" is not URL-safe base64; no second spelling
    for bad in (altered, other_key, token[:-1], token + "A", token + "=", "", "ø" * 60,
                respelled):
        with pytest.raises(ReplyTokenError) as caught:
            read_reply_token(KEY, bad, BEFORE)
        assert not caught.value.expired, bad


def test_links_in_either_format_work_until_the_meeting_ends():
    """Links already sent in the first format (``invitee.meeting.expiry.signature``) are
    read too, until they expire like the new ones."""
    for token in (reply_token(KEY, 41, 7, END_2027_03_28),
                  _legacy(KEY, 41, 7, END_2027_03_28)):
        claim = read_reply_token(KEY, token, END_2027_03_28 - timedelta(seconds=1))
        assert (claim.invitee_id, claim.meeting_id, claim.expires) == (41, 7, END_2027_03_28)
        with pytest.raises(ReplyTokenError) as expired:
            read_reply_token(KEY, token, END_2027_03_28)
        assert expired.value.expired
    sent = _legacy(KEY, 41, 7, END_2027_03_28)
    for bad in (sent.replace("41.7.", "41.8.", 1), _legacy(b"k" * 32, 41, 7, END_2027_03_28),
                sent[:-1] + "ø", "1.2.3"):
        with pytest.raises(ReplyTokenError) as caught:
            read_reply_token(KEY, bad, BEFORE)
        assert not caught.value.expired
