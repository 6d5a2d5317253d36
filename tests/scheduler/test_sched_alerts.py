"""Alerts: stored, redacted, and e-mailed through a real (local, minimal) SMTP server."""

from __future__ import annotations

import socket
import socketserver
import threading
from email import message_from_bytes, policy

import pytest

from scheduler.alerts import raise_alert, recent_alerts
from yomikaki.settings import reset_settings_cache


class _SmtpHandler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        self.wfile.write(b"220 test ESMTP\r\n")
        in_data, lines = False, []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            if in_data:
                if line in (b".\r\n", b".\n"):
                    self.server.messages.append(b"".join(lines))
                    in_data, lines = False, []
                    self.wfile.write(b"250 queued\r\n")
                else:
                    lines.append(line[1:] if line.startswith(b"..") else line)
                continue
            command = line[:4].upper()
            if command in (b"EHLO", b"HELO"):
                self.wfile.write(b"250 test\r\n")
            elif command == b"DATA":
                in_data = True
                self.wfile.write(b"354 end with .\r\n")
            elif command == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
    server.messages = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_alert_is_stored_logged_and_mailed_without_personal_data(smtp_server, monkeypatch, caplog):
    monkeypatch.setenv("YOMIKAKI_SMTP__HOST", "127.0.0.1")
    monkeypatch.setenv("YOMIKAKI_SMTP__PORT", str(smtp_server.server_address[1]))
    monkeypatch.setenv("YOMIKAKI_SMTP__RECIPIENTS", '["joho@city.example.lg.jp"]')
    reset_settings_cache()
    caplog.set_level("WARNING")
    raise_alert("error", "benefit-payment", "口座 1234567 の登録でエラー (個人番号 1234 5678 9012)")
    (alert,) = recent_alerts()
    assert alert.kind == "error" and alert.emailed is True
    assert "1234567" not in alert.message and "9012" in alert.message and "5678" not in alert.message
    (raw,) = smtp_server.messages
    mail = message_from_bytes(raw, policy=policy.default)
    assert mail["To"] == "joho@city.example.lg.jp"
    assert "ジョブのエラー" in mail["Subject"] and "benefit-payment" in mail["Subject"]
    body = mail.get_content()
    assert "1234567" not in body and "benefit-payment" in body
    assert any("benefit-payment" in r.getMessage() for r in caplog.records)


def test_unreachable_smtp_never_breaks_the_alert(monkeypatch):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there once closed
    monkeypatch.setenv("YOMIKAKI_SMTP__HOST", "127.0.0.1")
    monkeypatch.setenv("YOMIKAKI_SMTP__PORT", str(port))
    monkeypatch.setenv("YOMIKAKI_SMTP__RECIPIENTS", '["joho@city.example.lg.jp"]')
    reset_settings_cache()
    raise_alert("missed", "yearly", "6月1日の実行が行われませんでした")
    (alert,) = recent_alerts()
    assert alert.kind == "missed" and alert.emailed is False
