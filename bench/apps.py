"""The two apps `make bench` serves with gunicorn: the clinic, and the floor.

`floor()` is a bare Flask app answering "ok": the same gunicorn settings can serve no faster, so
every row is read as a ratio to it. `clinic()` is wsgi.py's app with the console mail backend's
messages dropped: each booking still builds its email (the cost a real clinic pays before
handing it to SMTP), but it is not written anywhere, so nothing accumulates in memory or on
the console. Gunicorn calls them as factories (`bench.apps:floor()`).
"""

from __future__ import annotations

import logging

from flask import Flask


def floor() -> Flask:
    """A one-route Flask app: GET / answers "ok"."""
    bare = Flask("floor")
    bare.get("/")(lambda: "ok")
    return bare


def clinic() -> Flask:
    """The clinic as wsgi.py builds it, with the emails' log lines (console backend) dropped."""
    logging.getLogger("clinic.kernel.mail").setLevel(logging.WARNING)
    from wsgi import app

    return app
