"""Sending e-mail with smtplib to a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

import pytest

from config.smtp import SmtpSettings, smtp_settings_from_env
from tasks.notify import NotifyError, send_email
from tests.smtpserver import SMTP_PASSWORD, SMTP_USER, free_port

# The test server allows AUTH without TLS (on 127.0.0.1 only); aiosmtpd warns about it.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


def test_settings_off_without_host_and_defaults():
    assert smtp_settings_from_env({}) is None
    assert smtp_settings_from_env({"SIGAP_SMTP_HOST": "  "}) is None
    s = smtp_settings_from_env({"SIGAP_SMTP_HOST": "mail.example.go.id"})
    assert s == SmtpSettings(host="mail.example.go.id")
    assert (s.port, s.sender, s.starttls, s.username, s.password_ref, s.timeout) == (
        25,
        "sigap@localhost",
        False,
        None,
        None,
        30.0,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SIGAP_SMTP_PORT": "smtp"}, "SIGAP_SMTP_PORT: must be a port number"),
        ({"SIGAP_SMTP_PORT": "70000"}, "SIGAP_SMTP_PORT: must be a port number"),
        ({"SIGAP_SMTP_STARTTLS": "maybe"}, "SIGAP_SMTP_STARTTLS: must be true or false"),
        ({"SIGAP_SMTP_TIMEOUT": "0"}, "SIGAP_SMTP_TIMEOUT: must be a number of seconds"),
        ({"SIGAP_SMTP_USER": "sigap"}, "SIGAP_SMTP_USER is set but SIGAP_SMTP_PASSWORD is not"),
        ({"SIGAP_SMTP_PASSWORD": "env:PW"}, "SIGAP_SMTP_PASSWORD is set but SIGAP_SMTP_USER"),
    ],
)
def test_bad_settings_are_named(env, message):
    with pytest.raises(ValueError, match=message):
        smtp_settings_from_env({"SIGAP_SMTP_HOST": "mail", **env})


def test_a_password_instead_of_a_reference_is_refused_unrepeated():
    env = {"SIGAP_SMTP_HOST": "mail", "SIGAP_SMTP_USER": "u", "SIGAP_SMTP_PASSWORD": "Rahasia123"}
    with pytest.raises(ValueError) as err:
        smtp_settings_from_env(env)
    assert "Rahasia123" not in str(err.value) and "env:VARIABLE" in str(err.value)
    with pytest.raises(ValueError) as err:
        SmtpSettings(host="mail", username="u", password_ref="Rahasia123")
    assert "Rahasia123" not in str(err.value)


def test_send_plain(smtp_server):
    settings = SmtpSettings(
        host=smtp_server.host, port=smtp_server.port, sender="sigap@example.go.id"
    )
    send_email(
        settings, ["a@example.go.id", "b@example.go.id"], "Uji coba", "Halo, dunia. Selesai.\n"
    )
    [got] = smtp_server.messages
    assert got.sender == "sigap@example.go.id"
    assert got.rcpt_tos == ["a@example.go.id", "b@example.go.id"]
    assert got.message["Subject"] == "Uji coba"
    assert got.message["From"] == "sigap@example.go.id"
    assert got.message["Message-ID"].endswith("@example.go.id>")
    assert got.message.get_content() == "Halo, dunia. Selesai.\n"


def test_send_with_login_resolves_the_password_reference(smtp_auth_server, monkeypatch):
    monkeypatch.setenv("SIGAP_TEST_SMTP_PW", SMTP_PASSWORD)
    env = {
        "SIGAP_SMTP_HOST": smtp_auth_server.host,
        "SIGAP_SMTP_PORT": str(smtp_auth_server.port),
        "SIGAP_SMTP_USER": SMTP_USER,
        "SIGAP_SMTP_PASSWORD": "env:SIGAP_TEST_SMTP_PW",
    }
    settings = smtp_settings_from_env(env)
    assert SMTP_PASSWORD not in repr(settings)
    send_email(settings, ["a@example.go.id"], "Dengan login", "isi")
    assert [m.message["Subject"] for m in smtp_auth_server.messages] == ["Dengan login"]


def test_wrong_password_and_missing_reference_never_show_the_password(
    smtp_auth_server, monkeypatch
):
    settings = SmtpSettings(
        host=smtp_auth_server.host,
        port=smtp_auth_server.port,
        username=SMTP_USER,
        password_ref="env:SIGAP_TEST_SMTP_PW",
    )
    monkeypatch.setenv("SIGAP_TEST_SMTP_PW", "salah-sandi-99")
    with pytest.raises(NotifyError) as err:
        send_email(settings, ["a@example.go.id"], "x", "y")
    assert "refused the login of 'sigap'" in str(err.value)
    assert "salah-sandi-99" not in str(err.value)
    monkeypatch.delenv("SIGAP_TEST_SMTP_PW")
    with pytest.raises(NotifyError, match="environment variable SIGAP_TEST_SMTP_PW is not set"):
        send_email(settings, ["a@example.go.id"], "x", "y")
    assert smtp_auth_server.messages == []


def test_login_required_but_not_configured(smtp_auth_server):
    settings = SmtpSettings(host=smtp_auth_server.host, port=smtp_auth_server.port)
    with pytest.raises(NotifyError, match=r"answered SMTP 530"):
        send_email(settings, ["a@example.go.id"], "x", "y")


def test_server_down_is_a_clear_notify_error():
    port = free_port()
    settings = SmtpSettings(host="127.0.0.1", port=port, timeout=2)
    with pytest.raises(
        NotifyError, match=rf"cannot send e-mail via 127\.0\.0\.1:{port}: .*refused"
    ):
        send_email(settings, ["a@example.go.id"], "x", "y")


def test_starttls_not_offered_is_an_error(smtp_server):
    settings = SmtpSettings(host=smtp_server.host, port=smtp_server.port, starttls=True)
    with pytest.raises(NotifyError, match="STARTTLS"):
        send_email(settings, ["a@example.go.id"], "x", "y")
    assert smtp_server.messages == []


@pytest.mark.parametrize(
    ("to", "subject", "message"),
    [
        ([], "x", "no recipients"),
        (["not-an-address"], "x", "not an e-mail address"),
        (["a@example.go.id\r\nBcc: evil@example.com"], "x", "not an e-mail address"),
        (["a@example.go.id"], "x\nBcc: evil@example.com", "one line"),
    ],
)
def test_malformed_messages_are_refused_before_connecting(to, subject, message):
    settings = SmtpSettings(host="127.0.0.1", port=free_port())
    with pytest.raises(NotifyError, match=message):
        send_email(settings, to, subject, "body")
