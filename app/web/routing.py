"""One unit of work per request.

Every router is made by ``make_router``, whose routes commit the request's database session
when the endpoint has produced a response below 400, before the response is sent, and roll
it back otherwise; an exception rolls back too. Writes a service marks with ``db.keep`` (a
refusal's event and audit rows, a failed login) are committed either way.
So a page that reports a validation error keeps nothing it may have flushed, a client is
never told "saved" when the commit failed, and a read's audit row is written with the page.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.db import finish

SESSION_STATE = "db"


class UnitOfWorkRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def run_in_unit_of_work(request: Request) -> Response:
            try:
                response = await handler(request)
            except BaseException:
                await _finish(request, success=False)
                raise
            await _finish(request, success=response.status_code < 400)
            return response

        return run_in_unit_of_work


async def _finish(request: Request, *, success: bool) -> None:
    session: Session | None = getattr(request.state, SESSION_STATE, None)
    if session is not None:
        await run_in_threadpool(finish, session, success=success)


def make_router(**kwargs: Any) -> APIRouter:
    """An APIRouter whose every route runs in the request's unit of work."""
    return APIRouter(route_class=UnitOfWorkRoute, **kwargs)
