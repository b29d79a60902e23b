"""The API's OpenAPI description, for logged-in administrators only."""

from __future__ import annotations

import copy
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from app.deps import AdminUser
from app.web.routing import make_router
from app.web.templating import render

router = make_router(prefix="/docs", include_in_schema=False)


FIELD_ERROR = {
    "type": "object", "title": "FieldError", "required": ["field", "message"],
    "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
}
VALIDATION_ERROR = {
    "type": "object", "title": "HTTPValidationError", "required": ["detail"],
    "properties": {"detail": {"type": "array",
                              "items": {"$ref": "#/components/schemas/FieldError"}}},
}
ERROR = {
    "type": "object", "title": "Error", "required": ["detail"],
    "properties": {
        "detail": {"anyOf": [{"type": "string"}, {"type": "array", "items": {
            "$ref": "#/components/schemas/FieldError"}}]},
        "reference": {"type": "string"},
    },
}
ERROR_STATUSES = {
    "400": "Bad request", "401": "Not logged in", "403": "No access, with the reason",
    "404": "Not found", "409": "Conflict with the current state, with the reason",
    "413": "The request is too large", "429": "Too many requests",
    "500": "Server error, with a reference number", "503": "Database unreachable",
}


def _error_responses(operation: dict[str, Any]) -> None:
    """The error answers every operation can give, in the shape the API really sends
    (web/errors.py and the routes' field errors): {"detail": text or [{field, message}]}."""
    responses = operation.setdefault("responses", {})
    for status, description in ERROR_STATUSES.items():
        responses.setdefault(status, {"description": description})
        responses[status]["content"] = {"application/json": {
            "schema": {"$ref": "#/components/schemas/Error"}}}
    responses["422"] = {"description": "Validation error, one message per field", "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}}}


def api_schema(request: Request) -> dict[str, Any]:
    schema: dict[str, Any] = copy.deepcopy(request.app.openapi())
    schema["info"] = {"title": "Overgang API", "version": "1"}
    schema["paths"] = {p: v for p, v in schema["paths"].items() if p.startswith("/api/")}
    for item in schema["paths"].values():
        for operation in item.values():
            _error_responses(operation)
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("ValidationError", None)
    schemas.update(FieldError=FIELD_ERROR, HTTPValidationError=VALIDATION_ERROR, Error=ERROR)
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
