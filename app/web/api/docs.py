"""The API's OpenAPI description, for logged-in administrators only."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from app.deps import AdminUser
from app.web.templating import render

router = APIRouter(prefix="/docs", include_in_schema=False)


def api_schema(request: Request) -> dict[str, Any]:
    schema: dict[str, Any] = dict(request.app.openapi())
    schema["info"] = {"title": "Overgang API", "version": "1"}
    schema["paths"] = {p: v for p, v in schema["paths"].items() if p.startswith("/api/")}
    return schema


@router.get("")
def docs_page(request: Request, _admin: AdminUser) -> Response:
    schema = api_schema(request)
    operations = [
        (method.upper(), path, op.get("summary", ""))
        for path, item in schema["paths"].items()
        for method, op in item.items()
    ]
    return render(request, "api_docs.html", {"operations": operations})


@router.get("/openapi.json")
def openapi_json(request: Request, _admin: AdminUser) -> Response:
    return JSONResponse(api_schema(request))
