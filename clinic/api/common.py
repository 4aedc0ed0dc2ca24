"""What every API resource uses: the blueprint class with its body parser, who may call (the
user the operation's `jwt_required()` read), the errors each operation documents, and optional
pagination."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from flask import current_app, g, request
from flask.json.provider import DefaultJSONProvider
from flask_jwt_extended import get_current_user
from flask_smorest import Blueprint, abort
from sqlalchemy import Select
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from .. import scheduling
from ..config import site
from ..extensions import db
from ..models import Appointment, Client, Role, User

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
STAFF = (Role.ADMIN, Role.MANAGER)


def checked_json(load: Callable[[], Any]) -> Any:
    """What `load` reads from JSON, refused as invalid JSON when it nests deeper than Python
    recurses or holds a lone surrogate ("\\ud800": no database stores it)."""
    try:
        value = load()
    except RecursionError:
        raise _not_json("The JSON nests too deeply") from None
    try:
        json.dumps(value, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        raise _not_json("The JSON holds a lone surrogate") from None
    return value


def _not_json(reason: str) -> json.JSONDecodeError:
    """A refusal of a JSON body (about a document that is not empty: webargs takes an empty
    one for no body at all)."""
    return json.JSONDecodeError(reason, "(the body)", 0)


class CheckedJSON(DefaultJSONProvider):
    """Flask's JSON (request.get_json), reading as `checked_json` does."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        parent = super().loads
        return checked_json(lambda: parent(s, **kwargs))


class JsonOrFormParser(FlaskParser):
    """Reads the body as JSON, or as form data when the request says it sends a form (as the
    original service took), so the spec documents JSON only and stays valid. Bad input is 400,
    as the original answered."""

    DEFAULT_VALIDATION_STATUS = 400

    def load_json(self, req, schema):
        if req.mimetype in FORM_TYPES:
            return self.load_form(req, schema)
        return super().load_json(req, schema)

    def _raw_load_json(self, req):
        if not is_json_request(req):
            return core.missing
        return checked_json(lambda: core.parse_json(req.get_data(cache=True)))


class ApiBlueprint(Blueprint):
    """A flask-smorest blueprint with our parser. Each operation that needs a token says so
    with `jwt_required()` above its other decorators, so the token is checked before the body
    is read (a caller without one learns only that: 401)."""

    ARGUMENTS_PARSER = JsonOrFormParser()

    def documents(self, *codes: int) -> Callable:
        """Document the error answers an operation can give, in the shared error shape."""

        def decorate(view: Callable) -> Callable:
            for code in codes:
                view = self.alt_response(code, response=HTTPStatus(code).name)(view)
            return view

        return decorate

    def json_only(self, view: Callable) -> Callable:
        """Refuse a form post (415): the operation takes JSON only."""

        @functools.wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if request.mimetype in FORM_TYPES:
                abort(415, message="Send JSON (Content-Type: application/json).")
            return view(*args, **kwargs)

        return checked

    def no_page_forms(self, view: Callable) -> Callable:
        """Refuse (403) a form post that a web page made a browser send: one with a foreign
        Origin, or with any cookie (an integration's form post carries neither). Otherwise a
        page on another site could have its visitors' browsers try passwords for it."""

        @functools.wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if request.mimetype in FORM_TYPES:
                origin = request.headers.get("Origin")
                if request.cookies or (
                    origin is not None and origin != site(current_app.config["BASE_URL"]).origin
                ):
                    abort(403, message="A web page's form cannot sign in here; send JSON.")
            return view(*args, **kwargs)

        return checked

    def public(self, view: Callable) -> Callable:
        """Document an operation as open to anyone (one that reads a token when sent, which must
        then be valid, says `jwt_required(optional=True)` below this)."""
        return self.doc(security=[])(view)


def caller(*roles: Role) -> User | None:
    """The user the request's token names, as the operation's `jwt_required()` read it (re-read
    from the database; None under `jwt_required(optional=True)` without a token); abort 403
    when their role is not among `roles`."""
    user = get_current_user()
    if roles and (user is None or user.role not in roles):
        abort(403, message="Your account may not do this.")
    return user


def get_or_404(model: type, key: int, what: str) -> Any:
    """The row with this id; 404 otherwise."""
    row = db.session.get(model, key)
    if row is None:
        abort(404, message=f"There is no {what} {key}.")
    return row


def own_or_404(user: User, model: type[Client | Appointment], key: int) -> Any:
    """The client record or appointment with this id that the caller may see: any for staff;
    for a client, their own record and their own appointments; 404 otherwise."""
    row = db.session.get(model, key)
    if row is None or not scheduling.policy_for(user).sees(row):
        abort(404, message=f"There is no {model.__name__.lower()} {key}.")
    return row


def listing(query: Select, args: dict[str, Any]) -> Iterable[Any]:
    """The rows of a list: all of them (a plain array, as the original answered), or one page
    when `?page=` is given, by `db.paginate`, with the X-Pagination header as flask-smorest
    writes it."""
    if args.get("page") is None:
        return db.session.scalars(query).all()
    page = db.paginate(
        query, page=args["page"], per_page=args.get("page_size") or 20, error_out=False
    )
    last = max(1, page.pages)
    header = {"total": page.total, "total_pages": last, "first_page": 1, "last_page": last}
    header["page"] = page.page
    if page.has_prev:
        header["previous_page"] = page.prev_num
    if page.page < last:
        header["next_page"] = page.page + 1
    g.pagination_header = json.dumps(header)
    return page.items


def add_pagination_header(response):
    """After a paged list, say where the page stands."""
    header = g.pop("pagination_header", None)
    if header is not None:
        response.headers["X-Pagination"] = header
    return response
