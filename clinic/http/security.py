"""What every response carries for safety: security headers (HSTS over https), `no-store` on
every answer for someone in particular (`no-cache` on the others, `Vary: Cookie,
Authorization` on all), and cookies that are HttpOnly, SameSite=Lax, and Secure
whenever the request came over https (behind a proxy too, when PROXY_FIX_HOPS says how many
proxies to trust for X-Forwarded-Proto; no other request header sets the scheme, the host or
the path prefix that links start with: see gunicorn.conf.py)."""

from __future__ import annotations

from flask import Flask, Response, g, request, session
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
STRICT_TRANSPORT = "max-age=31536000; includeSubDomains"


class SessionCookies(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the request itself came over https."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


def add_headers(response: Response) -> Response:
    """Put the security headers on a response (keeping any a view set itself); forbid storing
    an answer for someone in particular, and have a shared cache ask again before reusing any
    other (free times change at any minute; the app's static files are the same for everyone).
    Every answer varies with the cookies and the credentials sent."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT)
    if request.endpoint != "static":
        response.vary.update(("Cookie", "Authorization"))
        if is_personal():
            response.headers["Cache-Control"] = "no-store"
        else:
            response.headers.setdefault("Cache-Control", "no-cache")
    return response


def is_personal() -> bool:
    """Whether the request is someone's: an API call with credentials, or a browser whose
    session names a user (or whose user flask-login has loaded, from a remember-me cookie)."""
    if "Authorization" in request.headers or session.get("_user_id"):
        return True
    user = g.get("_login_user")
    return bool(user is not None and user.is_authenticated)


def init_app(app: Flask) -> None:
    """Install the headers, the cookie settings and (if configured) the proxy fix."""
    app.session_interface = SessionCookies()
    hops = app.config.get("PROXY_FIX_HOPS", 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)
    app.after_request(add_headers)
