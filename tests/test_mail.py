"""Does mail go where the settings say: memory in tests, the log by default, SMTP by config?"""

from __future__ import annotations

import logging

import pytest

from clinic.kernel import mail

ICS = b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"


def test_the_memory_backend_keeps_the_message_whole(app):
    """Does a message carry sender, text, HTML and an .ics attachment with its method?"""
    mail.send(
        "olena@example.com",
        "Your appointment",
        "See you on Monday.",
        html="<p>See you on <b>Monday</b>.</p>",
        attachments=[("appointment.ics", "text/calendar; method=REQUEST", ICS)],
    )
    [message] = mail.outbox()
    assert message["To"] == "olena@example.com"
    assert message["From"] == app.config["MAIL_DEFAULT_SENDER"]
    assert message["Subject"] == "Your appointment"
    assert message.get_body(("plain",)).get_content().strip() == "See you on Monday."
    assert "<b>Monday</b>" in message.get_body(("html",)).get_content()
    [attachment] = message.iter_attachments()
    assert attachment.get_filename() == "appointment.ics"
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "REQUEST"
    assert attachment.get_payload(decode=True) == ICS


def test_the_console_backend_logs_and_sends_nothing(app, caplog):
    """With the default console backend, is the message logged instead of sent?"""
    app.config["MAIL_BACKEND"] = "console"
    with caplog.at_level(logging.INFO, logger="clinic.kernel.mail"):
        mail.send("olena@example.com", "Hello", "A line of text.")
    assert "Subject: Hello" in caplog.text
    assert "A line of text." in caplog.text
    assert mail.outbox() == []


def test_the_console_shows_a_message_decoded_with_links_whole_and_attachments_named(app, caplog):
    """Does a long link arrive on one line (not quoted-printable, broken with `=`), with the
    headers, the text in any script, and each attachment by name?"""
    app.config["MAIL_BACKEND"] = "console"
    link = "http://127.0.0.1:5000/verify/" + "ZXhhbXBsZS1sb25nLXRva2Vu" * 5 + ".Zm9vYmFy"
    with caplog.at_level(logging.INFO, logger="clinic.kernel.mail"):
        mail.send(
            "olena@example.com",
            "Confirm your email",
            f"Привіт, Олено!\nOpen this link to confirm: {link}\n",
            html=f"<p><a href='{link}'>Confirm</a></p>",
            attachments=[("appointment.ics", "text/calendar; method=REQUEST", ICS)],
        )
    assert f"Open this link to confirm: {link}\n" in caplog.text
    assert "Привіт, Олено!" in caplog.text
    for line in ("From: clinic@localhost", "To: olena@example.com", "Subject: Confirm your"):
        assert line in caplog.text
    assert f"[attached: appointment.ics (text/calendar, {len(ICS)} bytes)]" in caplog.text
    assert "=\n" not in caplog.text and "Content-Transfer-Encoding" not in caplog.text


class FakeSMTP:
    """Stands in for smtplib.SMTP, recording what the backend asks of it."""

    sessions: list[FakeSMTP] = []

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.address, self.calls = (host, port), []
        FakeSMTP.sessions.append(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.calls.append("quit")

    def starttls(self) -> None:
        self.calls.append("starttls")

    def login(self, username: str, password: str) -> None:
        self.calls.append(("login", username, password))

    def send_message(self, message) -> None:
        self.calls.append(("send", message["To"]))


def test_the_smtp_backend_uses_tls_and_login_as_configured(app, monkeypatch):
    """Does SMTP connect to the configured server, STARTTLS, log in and send?"""
    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    FakeSMTP.sessions.clear()
    app.config.update(
        MAIL_BACKEND="smtp",
        MAIL_SERVER="smtp.clinic.test",
        MAIL_PORT=587,
        MAIL_USE_TLS=True,
        MAIL_USERNAME="desk",
        MAIL_PASSWORD="pw",
    )
    mail.send("olena@example.com", "Hello", "Text")
    [session] = FakeSMTP.sessions
    assert session.address == ("smtp.clinic.test", 587)
    assert session.calls == [
        "starttls",
        ("login", "desk", "pw"),
        ("send", "olena@example.com"),
        "quit",
    ]


@pytest.mark.parametrize("to", ["", "a@example.com\nBcc: everyone@example.com"])
def test_an_address_that_is_empty_or_injects_headers_is_refused(app, to):
    """Is a recipient that is empty or smuggles in a header refused, nothing sent?"""
    with pytest.raises(ValueError, match="not an email address"):
        mail.send(to, "Hello", "Text")
    assert mail.outbox() == []


def test_send_or_log_logs_a_failure_instead_of_raising(app, monkeypatch, caplog):
    """Does send_or_log answer False and log when delivery fails, True when it works?"""
    import logging

    assert mail.send_or_log("olena@example.com", "Hello", "Text") is True
    monkeypatch.setattr(mail, "_send_smtp", lambda message: (_ for _ in ()).throw(OSError()))
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="smtp.clinic.test")
    with caplog.at_level(logging.ERROR, logger="clinic.kernel.mail"):
        assert mail.send_or_log("olena@example.com", "Hello", "Text") is False
    assert "Could not send 'Hello' to olena@example.com" in caplog.text
