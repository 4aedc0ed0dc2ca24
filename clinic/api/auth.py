"""Signing in to the API: login (three paths, as the original had), refresh, logout, me,
register and activate."""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC, datetime

from flask.views import MethodView
from flask_jwt_extended import (
    create_access_token,
    create_refresh_token,
    decode_token,
    get_current_user,
    get_jwt,
    jwt_required,
    verify_jwt_in_request,
)
from flask_smorest import abort
from jwt import PyJWTError
from sqlalchemy.exc import IntegrityError

from .. import accounts
from ..extensions import db
from ..http import limits
from ..kernel.database import writing
from ..models import RevokedToken
from . import tokens
from .common import ApiBlueprint, caller
from .schemas import (
    AccessOut,
    ActivateQuery,
    LoginIn,
    MessageOut,
    RefreshIn,
    RegisteredOut,
    RegisterIn,
    TokensOut,
    UserOut,
)
from .tokens import is_revoked

blp = ApiBlueprint("sign-in", __name__, description="Signing in, tokens and accounts")


class Login(MethodView):
    @blp.public
    @blp.no_page_forms
    @limits.login_limited
    @blp.arguments(LoginIn)
    @blp.response(200, TokensOut)
    @blp.documents(400, 401, 403, 429)
    def post(self, credentials):
        """Sign in: an access and a refresh token, and who you are"""
        user, verdict = accounts.authenticate(
            db.session, credentials["username"], credentials["password"]
        )
        if verdict is accounts.Verdict.WRONG:
            limits.sign_in_failed()
        if verdict is not accounts.Verdict.OK:
            abort(401, message=verdict.value)
        return {
            "access": create_access_token(identity=user),
            "refresh": create_refresh_token(identity=user),
            "user": user,
        }


for path, endpoint in (
    ("/login/", "login"),
    ("/workers/login/", "workers_login"),
    ("/auth/login/", "auth_login"),
):
    blp.add_url_rule(path, endpoint=endpoint, view_func=Login, strict_slashes=False)


@blp.route("/auth/refresh/", strict_slashes=False)
class Refresh(MethodView):
    @blp.public
    @blp.arguments(RefreshIn)
    @blp.response(200, AccessOut)
    @blp.documents(400, 401)
    def post(self, body):
        """A new access token for a refresh token (in the body, or as Bearer)"""
        payload = _refresh_payload(body.get("refresh"))
        user = tokens.load_user({}, payload)
        if user is None:
            abort(401, message="The account is gone or switched off, or signed out everywhere.")
        return {"access": create_access_token(identity=user)}


def _refresh_payload(token: str | None) -> dict:
    """The checked payload of the refresh token given in the body or as Bearer."""
    if not token:
        verify_jwt_in_request(refresh=True)
        return get_jwt()
    try:
        payload = decode_token(token)
    except PyJWTError as error:
        abort(401, message=f"The refresh token is not valid: {error}.")
    if payload.get("type") != "refresh":
        abort(401, message="That is not a refresh token.")
    if is_revoked(payload["jti"]):
        abort(401, message="The token has been revoked.")
    return payload


@blp.route("/auth/logout/", strict_slashes=False)
class Logout(MethodView):
    @jwt_required(verify_type=False)
    @blp.arguments(RefreshIn)
    @blp.response(200, MessageOut)
    @blp.documents(400, 401)
    def post(self, body):
        """Revoke the token sent as Bearer (and a refresh token in the body, if given)"""
        payloads = [get_jwt()]
        if body.get("refresh"):
            payloads.append(_refresh_payload(body["refresh"]))
        # A token sent twice, or revoked by another request at this moment, stays revoked.
        with suppress(IntegrityError), writing(db.session):
            for jti, payload in {payload["jti"]: payload for payload in payloads}.items():
                if is_revoked(jti):
                    continue
                db.session.add(
                    RevokedToken(
                        jti=jti,
                        token_type=payload["type"],
                        user_id=int(payload["sub"]),
                        expires_at=datetime.fromtimestamp(payload["exp"], UTC),
                    )
                )
        return {"message": "Signed out."}


@blp.route("/me/", strict_slashes=False)
class Me(MethodView):
    @jwt_required()
    @blp.response(200, UserOut)
    @blp.documents(401)
    def get(self):
        """Who the token belongs to"""
        caller()
        return get_current_user()


@blp.route("/register/", strict_slashes=False)
class Register(MethodView):
    @blp.public
    @limits.account_forms_limited
    @blp.json_only
    @blp.arguments(RegisterIn)
    @blp.response(201, RegisteredOut)
    @blp.documents(400, 415, 429)
    def post(self, fields):
        """Register as a client: the account works once the emailed link is opened (the same
        answer whether or not the address or username is taken)"""
        user = accounts.register_client(db.session, **fields)
        return {"message": "We sent a link to your email address; open it to finish.", "user": user}


@blp.route("/activate/", strict_slashes=False)
class Activate(MethodView):
    @blp.public
    @blp.arguments(ActivateQuery, location="query")
    @blp.response(200, RegisteredOut)
    @blp.documents(400)
    def get(self, query):
        """Verify an email address with the token from the emailed link"""
        user = accounts.activate(db.session, query["token"])
        return {"message": "Your email address is verified; you can sign in.", "user": user}
