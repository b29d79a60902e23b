"""Friendly error pages (HTML) and JSON errors (API), never a stack trace."""

from __future__ import annotations

import logging
import uuid
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from psycopg.errors import NumericValueOutOfRange
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from app import i18n
from app.deps import CsrfError, ForbiddenError, NotAuthenticatedError, NotFoundError
from app.i18n import N_
from app.services import youths
from app.web.forms import api_errors
from app.web.templating import render, use_request_locale, viewer

log = logging.getLogger("overgang.errors")
RETRY_AFTER_SECONDS = 30


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error(request: Request, status: int, title: str, message: str, ref: str = "",
           headers: dict[str, str] | None = None) -> Response:
    """The friendly page or the API's JSON. Only plain values of the request are read (the
    viewer, never the ORM user): after a failed transaction its objects are expired and
    reading them would fail again."""
    use_request_locale(request)
    if status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
    if _wants_json(request):
        body: dict[str, object] = {"detail": i18n.gettext(message)}
        if ref:
            body["reference"] = ref
        return JSONResponse(body, status_code=status, headers=headers)
    response = render(
        request,
        "errors/error.html",
        {"status": status, "title": title, "message": message, "reference": ref,
         "current_user": viewer(request)},
        status_code=status,
    )
    response.headers.update(headers or {})
    return response


def health_unavailable() -> Response:
    """What `/health` answers while the database cannot be reached."""
    return JSONResponse({"status": "database unreachable"}, status_code=503,
                        headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def _reference() -> str:
    return uuid.uuid4().hex[:10].upper()


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotAuthenticatedError)
    async def not_authenticated(request: Request, exc: NotAuthenticatedError) -> Response:
        if _wants_json(request):
            return _error(request, 401, N_("Not logged in"), N_("Authentication is required."))
        login_page = "/borger/login" if request.url.path.startswith("/borger") else "/login"
        target = f"{login_page}?expired=1" if exc.expired else login_page
        if request.method == "GET" and request.url.path != "/":
            sep = "&" if "?" in target else "?"
            target += f"{sep}next={quote(request.url.path)}"
        if request.headers.get("hx-request") == "true":
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(CsrfError)
    async def csrf_failed(request: Request, _exc: CsrfError) -> Response:
        return _error(
            request, 403, N_("The form has expired"),
            N_("The form was too old or came from another site. Reload the page and try again."),
        )

    @app.exception_handler(ForbiddenError)
    async def forbidden(request: Request, exc: ForbiddenError) -> Response:
        return _error(
            request, 403, N_("No access"), exc.message or N_("You do not have access to this page.")
        )

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, _exc: NotFoundError) -> Response:
        return _error(
            request, 404, N_("Page not found"), N_("We could not find the page you asked for.")
        )

    # Access-checked lookups in the services raise these; every route gets the same answer.
    @app.exception_handler(youths.YouthNotFoundError)
    async def youth_not_found(request: Request, _exc: youths.YouthNotFoundError) -> Response:
        return await not_found(request, NotFoundError())

    @app.exception_handler(youths.YouthForbiddenError)
    async def youth_forbidden(request: Request, _exc: youths.YouthForbiddenError) -> Response:
        return await forbidden(request, ForbiddenError(
            N_("You do not have access to this young person.")))

    # An id in the address beyond the database's integer range (PostgreSQL refuses the
    # query) is a page that does not exist, not a server error.
    @app.exception_handler(DataError)
    async def data_error(request: Request, exc: DataError) -> Response:
        if isinstance(exc.orig, NumericValueOutOfRange):
            return await not_found(request, NotFoundError())
        return await server_error(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return _error(
                request, 404, N_("Page not found"), N_("We could not find the page you asked for.")
            )
        if exc.status_code == 405:
            return _error(request, 405, N_("Not allowed"), N_("This action is not possible here."))
        return _error(request, exc.status_code, N_("Error"), str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": api_errors(exc.errors())}, status_code=422)
        return _error(
            request, 400, N_("Invalid request"), N_("The request could not be understood.")
        )

    # The database is down, restarting or unreachable (or SQLite stayed locked past its
    # busy timeout): a temporary condition, so 503 with Retry-After, not a server error.
    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    @app.exception_handler(PoolTimeout)
    async def database_unavailable(request: Request, exc: Exception) -> Response:
        ref = _reference()
        cause = getattr(exc, "orig", None) or exc
        log.error("database unavailable ref=%s path=%s: %s: %s", ref, request.url.path,
                  type(cause).__name__, str(cause).splitlines()[0][:300] if str(cause) else "")
        if request.url.path == "/health":
            return health_unavailable()
        return _error(
            request, 503, N_("Overgang is not available right now"),
            N_("Overgang cannot reach its database right now. If you were saving something, "
               "it has not been saved. Try again in a few minutes."),
            ref, headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        ref = _reference()
        log.error("unhandled error ref=%s path=%s", ref, request.url.path, exc_info=exc)
        return _error(
            request, 500, N_("Something went wrong"),
            N_(
                "An error occurred. Our administrators have been told. "
                "Quote the reference number if you contact support."
            ),
            ref,
        )
