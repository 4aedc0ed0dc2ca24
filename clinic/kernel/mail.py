"""Sending email: logged to the console (default), sent by SMTP, or kept in memory for tests."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger(__name__)

Attachment = tuple[str, str, bytes]
"""(file name, content type such as "text/calendar; method=REQUEST", content)."""


def send(
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    attachments: Iterable[Attachment] = (),
) -> EmailMessage:
    """Build one message and hand it to the configured backend; return the message."""
    message = build(to, subject, text, html, attachments)
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "memory":
        outbox().append(message)
    elif backend == "smtp":
        _send_smtp(message)
    elif log.isEnabledFor(logging.INFO):
        log.info("Email (console backend, not sent):\n%s", readable(message))
    return message


def send_or_log(
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    attachments: Iterable[Attachment] = (),
) -> bool:
    """Send a message that follows a change already committed: a failure (no mail server, a
    refused address) is logged and answered False, never raised, so it neither undoes the
    change nor turns the answer into an error."""
    try:
        send(to, subject, text, html, attachments)
    except Exception:
        log.exception("Could not send %r to %s", subject, to)
        return False
    return True


def outbox() -> list[EmailMessage]:
    """The messages sent so far with the in-memory backend (tests read it)."""
    return current_app.extensions.setdefault("mail_outbox", [])


def build(
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    attachments: Iterable[Attachment] = (),
) -> EmailMessage:
    """A MIME message from the configured sender, with alternatives and attachments."""
    if not to or "\n" in to or "\r" in to:
        raise ValueError(f"not an email address: {to!r}")
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for filename, content_type, content in attachments:
        maintype, _, rest = content_type.partition("/")
        subtype, *params = (part.strip() for part in rest.split(";"))
        extra = dict(param.split("=", 1) for param in params if "=" in param)
        message.add_attachment(
            content, maintype=maintype, subtype=subtype, filename=filename, params=extra
        )
    return message


def readable(message: EmailMessage) -> str:
    """A message as a person reads it in a terminal: the headers, the text body decoded (a
    link on one line, not quoted-printable broken over two), and each attachment named."""
    lines = [f"{name}: {message[name]}" for name in ("From", "To", "Subject") if message[name]]
    body = message.get_body(preferencelist=("plain",))
    lines += ["", body.get_content().rstrip("\n") if body is not None else "(no text part)", ""]
    if message.get_body(preferencelist=("html",)) is not None:
        lines.append("[an HTML version of the same text]")
    for part in message.iter_attachments():
        size = len(part.get_payload(decode=True) or b"")
        lines.append(f"[attached: {part.get_filename()} ({part.get_content_type()}, {size} bytes)]")
    return "\n".join(lines).rstrip("\n")


def _send_smtp(message: EmailMessage) -> None:
    """Deliver through the configured SMTP server."""
    config = current_app.config
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)
