"""The application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from app import jobs
from app.clock import SYSTEM, Clock
from app.db import make_engine
from app.deps import authenticate, csrf_protect, youth_scope
from app.settings import Settings, load_settings
from app.web import (
    admin,
    auth,
    caseworker_change,
    family,
    family_staff,
    log_redaction,
    meeting_followup,
    meeting_replies,
    network,
    pages,
    timeline,
    youth_import,
    youths,
)
from app.web import feeds as feed_pages
from app.web import handover as handover_pages
from app.web import inquiries as inquiry_pages
from app.web import letters as letter_pages
from app.web import meetings as meeting_pages
from app.web import overview as overview_pages
from app.web import review as review_pages
from app.web.api import docs as api_docs
from app.web.api import handover as api_handover
from app.web.api import inquiries as api_inquiries
from app.web.api import meetings as api_meetings
from app.web.api import network as api_network
from app.web.api import overview as api_overview
from app.web.api import youths as api_youths
from app.web.errors import install_error_handlers
from app.web.middleware import SecurityMiddleware
from app.web.templating import make_templates

STATIC_DIR = Path(__file__).resolve().parent / "static"
log = logging.getLogger("overgang")


def create_app(settings: Settings | None = None, clock: Clock = SYSTEM) -> FastAPI:
    """The application; `clock` is the one clock its requests and jobs read (tests freeze it)."""
    settings = settings or load_settings()
    log_redaction.install()  # feed and reply tokens never reach the logs
    engine = make_engine(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        scheduler = (jobs.start_scheduler(settings, engine, app.state.clock)
                     if settings.scheduler_enabled else None)
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.shutdown(wait=False)
            engine.dispose()

    app = FastAPI(
        title="Overgang",
        lifespan=lifespan,
        dependencies=[Depends(authenticate), Depends(csrf_protect), Depends(youth_scope)],
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.clock = clock
    app.state.templates = make_templates(settings)
    app.add_middleware(SecurityMiddleware, settings=settings)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in (auth, family, family_staff, pages, admin, timeline, overview_pages,
                   inquiry_pages, letter_pages, review_pages, youth_import,
                   network, caseworker_change, meeting_pages, meeting_followup, meeting_replies,
                   feed_pages, handover_pages,
                   youths, api_network, api_handover, api_meetings, api_inquiries,
                   api_overview, api_youths, api_docs):
        app.include_router(module.router)
    install_error_handlers(app)
    return app
