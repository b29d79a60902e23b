"""Administrators manage user accounts."""

from __future__ import annotations

from typing import Annotated

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field, model_validator

from app.deps import AdminUser, NotFoundError, SessionDep
from app.domain import labels
from app.domain.validation import Email, FieldError, OutgoingText, Phone, Text
from app.i18n import N_, Msg
from app.models.user import Role, User
from app.services import auth, users
from app.web.forms import form_dict, parse_form
from app.web.routing import make_router
from app.web.templating import render

router = make_router(prefix="/admin")


class UserForm(BaseModel):
    username: Annotated[Text, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]
    full_name: Annotated[OutgoingText, Field(min_length=1, max_length=120)]
    email: Annotated[Email, Field(min_length=1, max_length=254)]
    phone: Annotated[Phone, Field(max_length=32)] = ""
    role: Role
    is_active: bool = False
    password: Annotated[str, Field(max_length=200)] = ""
    new_user: bool = False

    @model_validator(mode="after")
    def _password_rules(self) -> UserForm:
        if self.new_user and not self.password:
            raise FieldError(N_("Choose a password for the new user."), field="password")
        if self.password and len(self.password) < auth.MIN_PASSWORD_LENGTH:
            raise FieldError(
                N_("The password must be at least %(n)s characters."),
                field="password",
                n=auth.MIN_PASSWORD_LENGTH,
            )
        return self


@router.get("/users")
def user_list(request: Request, session: SessionDep, _admin: AdminUser) -> Response:
    return render(
        request, "admin/users.html",
        {"users": users.list_users(session), "role_labels": labels.USER_ROLE},
    )


@router.get("/users/new")
def user_new(request: Request, _admin: AdminUser) -> Response:
    return _render_form(request, None, {"is_active": True, "role": Role.CHILD_CASEWORKER}, {})


@router.post("/users/new")
async def user_create(request: Request, session: SessionDep, admin: AdminUser) -> Response:
    data = form_dict(await request.form())
    data["new_user"] = True
    form, errors = parse_form(UserForm, data)
    if form and users.username_exists(session, form.username):
        errors = {"username": Msg(N_("This username is already taken."))}
    if form is None or errors:
        return _render_form(request, None, data, errors, status=400)
    users.create(
        session, admin, username=form.username, full_name=form.full_name, email=form.email,
        phone=form.phone, role=form.role, password=form.password,
    )
    return RedirectResponse("/admin/users", status_code=303)


@router.get("/users/{user_id}")
def user_edit(request: Request, user_id: int, session: SessionDep, _admin: AdminUser) -> Response:
    user = _get(session, user_id)
    return _render_form(request, user, user.model_dump(exclude={"password_hash"}), {})


@router.post("/users/{user_id}")
async def user_update(
    request: Request, user_id: int, session: SessionDep, admin: AdminUser
) -> Response:
    user = _get(session, user_id)
    data = form_dict(await request.form())
    data["username"] = user.username
    form, errors = parse_form(UserForm, data)
    if form and user.id == admin.id and (form.role is not Role.ADMIN or not form.is_active):
        errors = {"role": Msg(N_("You cannot remove your own administrator access."))}
    if form is None or errors:
        return _render_form(request, user, data, errors, status=400)
    users.update(
        session, admin, user, full_name=form.full_name, email=form.email, phone=form.phone,
        role=form.role, is_active=form.is_active, password=form.password,
    )
    return RedirectResponse("/admin/users", status_code=303)


def _get(session: SessionDep, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError()
    return user


def _render_form(
    request: Request, user: User | None, values: dict[str, object], errors: dict[str, Msg],
    status: int = 200,
) -> Response:
    values.pop("password", None)
    return render(
        request, "admin/user_form.html",
        {"user": user, "values": values, "errors": errors, "role_labels": labels.USER_ROLE},
        status_code=status,
    )
