"""The ceiling for the HTTP benchmark: a bare FastAPI + Jinja2 app that answers each page
the real app was asked for with byte-for-byte the body (and headers) the real app sent.

    python -m bench.http_ceiling PAGES.json --port 8101

PAGES.json is written by bench.http (`write_pages`): for each page, the session it was
asked for in, the path with its query string, the status, the headers worth repeating and
the body. Each request renders a Jinja2 template
with the body as its value (unescaped, so the output is the body unchanged), so a request
costs what uvicorn, FastAPI and Jinja2 cost for a page of that size and nothing more: no
middleware, no dependencies, no database. bench.http_floor adds one SQL query to this.
"""

from __future__ import annotations

import argparse
import base64
import json
import logging
import sys
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import Response
from jinja2 import DictLoader, Environment, Template

from app.deps import SESSION_COOKIE

# Headers the server or the moment decides; everything else the real app sent is repeated.
SKIPPED_HEADERS = frozenset({"date", "server", "content-length", "set-cookie",
                             "transfer-encoding", "connection"})


@dataclass(frozen=True)
class Page:
    status: int
    headers: dict[str, str]
    body: bytes


# A page is asked for by a logged-in user: (the session cookie's value, path?query).
PageKey = tuple[str, str]


def write_pages(path: Path, pages: dict[PageKey, Page]) -> None:
    path.write_text(json.dumps([
        {"session": session, "url": url, "status": p.status, "headers": p.headers,
         "body": base64.b64encode(p.body).decode("ascii")}
        for (session, url), p in pages.items()
    ]))


def read_pages(path: Path) -> dict[PageKey, Page]:
    return {(v["session"], v["url"]): Page(v["status"], v["headers"], base64.b64decode(v["body"]))
            for v in json.loads(path.read_text())}


def kept_headers(headers: list[tuple[str, str]]) -> dict[str, str]:
    return {k: v for k, v in headers if k.lower() not in SKIPPED_HEADERS}


def page_key(request: Request) -> PageKey:
    query = request.url.query
    url = f"{request.url.path}?{query}" if query else request.url.path
    return request.cookies.get(SESSION_COOKIE, ""), url


class Pages:
    """The captured pages, looked up by the session cookie and the path with its query
    string (the register's first page differs between a coordinator and a caseworker), and
    rendered by a Jinja2 template."""

    def __init__(self, pages: dict[PageKey, Page]) -> None:
        self.pages = pages
        self.texts = {key: p.body.decode("utf-8") for key, p in pages.items()}
        env = Environment(loader=DictLoader({"page": "{{ body }}"}), autoescape=False)
        self.template: Template = env.get_template("page")

    def respond(self, request: Request) -> Response:
        key = page_key(request)
        page = self.pages.get(key)
        if page is None:
            return Response(b"not captured", status_code=404)
        body = self.template.render(body=self.texts[key])
        return Response(body, status_code=page.status, headers=page.headers)


def create_app(pages_file: Path) -> FastAPI:
    pages = Pages(read_pages(pages_file))
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/{path:path}")
    async def captured(request: Request) -> Response:
        return pages.respond(request)

    return app


def serve(app: FastAPI, port: int) -> None:
    """Served as `overgang serve` serves the real app: one uvicorn worker, its default
    logging (with the access log) at INFO."""
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    uvicorn.run(app, host="127.0.0.1", port=port, proxy_headers=True)


def parse_args(argv: list[str] | None, doc: str | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=doc,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pages", type=Path)
    parser.add_argument("--port", type=int, required=True)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv, __doc__)
    serve(create_app(args.pages), args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
