"""Security headers, the CSRF cookie and a request size limit, as one ASGI middleware.

The size limit is enforced on the body as it arrives, not only on Content-Length."""

from __future__ import annotations

import secrets
from http.cookies import SimpleCookie
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import clock
from app.deps import CSRF_COOKIE
from app.settings import Settings

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
MAX_BODY_BYTES = 2 * 1024 * 1024
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
UPLOAD_PATHS = ("/youths/import",)


class BodyTooLarge(Exception):
    """Raised from `receive` once a request body has passed its limit."""


class _BodyLimit:
    """The `receive` the app gets: counts the body bytes as they arrive, with or without a
    Content-Length (a chunked body has none), and refuses to read on once over the limit."""

    def __init__(self, receive: Receive, limit: int) -> None:
        self.receive = receive
        self.limit = limit
        self.received = 0
        self.exceeded = False

    async def __call__(self) -> Message:
        if self.exceeded:
            raise BodyTooLarge
        message = await self.receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit:
                self.exceeded = True
                raise BodyTooLarge
        return message


def _declared_too_large(headers: dict[bytes, bytes], limit: int) -> bool:
    length = headers.get(b"content-length")
    return length is not None and length.isdigit() and int(length) > limit


async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
    """413, closing the connection so the server does not read the rest of the body."""
    response = PlainTextResponse(
        "Forespørgslen er for stor. / The request is too large.", status_code=413,
        headers={"Connection": "close"},
    )
    await response(scope, receive, send)


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.secure = settings.secure_cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The application's clock is the one every service reads during the request.
        with clock.use(scope["app"].state.clock):
            await self._call(scope, receive, send)

    async def _call(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        headers = dict(scope["headers"])
        limit = MAX_UPLOAD_BYTES if path.startswith(UPLOAD_PATHS) else MAX_BODY_BYTES
        send = self._with_headers(scope, headers, send)
        if _declared_too_large(headers, limit):
            await _too_large(scope, receive, send)
            return
        await self._limited(scope, _BodyLimit(receive, limit), send)

    async def _limited(self, scope: Scope, body: _BodyLimit, send: Send) -> None:
        """Runs the app on a counted body. Once the body passes the limit, whatever the app
        makes of the refused read (an exception, a 400 or an error page) is replaced by 413."""
        started = False

        async def send_unless_refused(message: Message) -> None:
            nonlocal started
            if body.exceeded:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, body, send_unless_refused)
        except Exception:
            if not body.exceeded:
                raise
        if body.exceeded and not started:
            await _too_large(scope, body.receive, send)

    def _with_headers(self, scope: Scope, headers: dict[bytes, bytes], send: Send) -> Send:
        cookie = _read_cookie(headers.get(b"cookie", b"").decode("latin-1"), CSRF_COOKIE)
        new_cookie = None
        if not cookie:
            cookie = new_cookie = secrets.token_urlsafe(32)
        scope.setdefault("state", {})["csrf_cookie"] = cookie
        is_static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                out["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
                out["X-Content-Type-Options"] = "nosniff"
                out["X-Frame-Options"] = "DENY"
                out["Referrer-Policy"] = "same-origin"
                out["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
                out["Cross-Origin-Opener-Policy"] = "same-origin"
                if self.secure:
                    out["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
                if is_static:
                    out.setdefault("Cache-Control", "public, max-age=3600")
                else:
                    out.setdefault("Cache-Control", "no-store")
                if new_cookie:
                    out.append("Set-Cookie", _cookie_header(new_cookie, secure=self.secure))
            await send(message)

        return send_with_headers


def _read_cookie(header: str, name: str) -> str | None:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except Exception:  # a malformed Cookie header is treated as no cookie
        return None
    morsel: Any = jar.get(name)
    value = morsel.value if morsel is not None else None
    return value if value and len(value) <= 128 else None


def _cookie_header(value: str, *, secure: bool) -> str:
    parts = [f"{CSRF_COOKIE}={value}", "Path=/", "HttpOnly", "SameSite=Lax"]
    if secure:
        parts.append("Secure")
    return "; ".join(parts)
