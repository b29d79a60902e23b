"""The floor for the HTTP benchmark: the ceiling's captured pages (bench.http_ceiling),
plus the least a logged-in page does with the database, one SQL query per request.

    DATABASE_URL=... python -m bench.http_floor PAGES.json --port 8102

The settings are read from the environment as the real app reads them, so the engine is
the app's own (`app.db.make_engine`: the same pool, the same SQLite pragmas). Each request
runs in the thread pool, as the app's routes do, opens a session, looks up the session
cookie's row by primary key and closes the session.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import Response
from sqlalchemy import text
from sqlalchemy.engine import Engine

from app.db import make_engine
from app.deps import SESSION_COOKIE
from app.services.auth import token_digest
from app.settings import load_settings
from bench.http_ceiling import Pages, parse_args, read_pages, serve

QUERY = text("SELECT id FROM user_session WHERE id = :digest")


def session_row(request: Request) -> str | None:
    engine: Engine = request.app.state.engine
    digest = token_digest(request.cookies.get(SESSION_COOKIE, ""))
    with engine.connect() as conn:
        found: str | None = conn.execute(QUERY, {"digest": digest}).scalar()
    return found


def create_app(pages_file: Path, engine: Engine) -> FastAPI:
    pages = Pages(read_pages(pages_file))
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.state.engine = engine

    @app.get("/{path:path}")
    def captured(request: Request,
                 row: Annotated[str | None, Depends(session_row)]) -> Response:
        if row is None:
            return Response(b"no session", status_code=401)
        return pages.respond(request)

    return app


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv, __doc__)
    engine = make_engine(load_settings())
    try:
        serve(create_app(args.pages, engine), args.port)
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
