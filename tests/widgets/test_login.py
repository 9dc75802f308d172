"""The login dialog against a real platform: success, and each failure said in the dialog."""

from __future__ import annotations

import contextlib
import socket

from live_platform import DEMO_PASSWORD, LivePlatform
from PySide6.QtCore import QSettings

from console.client import ClientError, PlatformClient
from widgets.login import LoginDialog
from widgets.tasks import Tasks


def dialog(qtbot, tmp_path, url: str, username: str, password: str) -> LoginDialog:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    tasks = Tasks()
    widget = LoginDialog(settings, tasks)
    qtbot.add_widget(widget)
    widget.server_choice.setChecked(True)
    widget.url.setText(url)
    widget.username.setText(username)
    widget.password.setText(password)
    return widget


def message_after_submit(qtbot, widget: LoginDialog) -> str:
    widget.submit()
    qtbot.wait_until(lambda: widget.ok.isEnabled(), timeout=20_000)
    return widget.message.text()


def test_good_login_hands_over_a_logged_in_client(qtbot, tmp_path, live: LivePlatform) -> None:
    widget = dialog(qtbot, tmp_path, live.url, "op_qingcheng", DEMO_PASSWORD)
    with qtbot.wait_signal(widget.logged_in, timeout=20_000) as done:
        widget.submit()
    client = done.args[0]
    assert isinstance(client, PlatformClient) and client.token
    assert client.user["username"] == "op_qingcheng"
    # remembered: address and user; never the password
    settings = widget.settings
    assert settings.value("login/url") == live.url
    assert settings.value("login/username") == "op_qingcheng"
    settings.sync()
    assert DEMO_PASSWORD not in (tmp_path / "settings.ini").read_text(encoding="utf-8")
    assert widget.password.text() == ""


def test_wrong_password_is_shown_in_the_dialog(qtbot, tmp_path, live: LivePlatform) -> None:
    widget = dialog(qtbot, tmp_path, live.url, "admin", "wrong")
    assert message_after_submit(qtbot, widget) == "用户名或密码错误。"
    assert widget.isVisible() or not widget.result()


def test_locked_account_is_shown_with_the_wait(qtbot, tmp_path, live: LivePlatform) -> None:
    client = PlatformClient(live.url)
    for _ in range(5):
        with contextlib.suppress(ClientError):
            client.login("ent_19", "wrong")
    widget = dialog(qtbot, tmp_path, live.url, "ent_19", DEMO_PASSWORD)
    text = message_after_submit(qtbot, widget)
    assert "锁定" in text and "分钟" in text


def test_unreachable_server_is_shown(qtbot, tmp_path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    widget = dialog(qtbot, tmp_path, f"127.0.0.1:{port}", "admin", "x")
    assert "无法连接" in message_after_submit(qtbot, widget)


def test_tls_problem_is_shown(qtbot, tmp_path, live: LivePlatform) -> None:
    widget = dialog(qtbot, tmp_path, f"https://127.0.0.1:{live.ports['http']}", "admin", "x")
    assert "TLS" in message_after_submit(qtbot, widget)


def test_bad_address_and_empty_fields(qtbot, tmp_path) -> None:
    widget = dialog(qtbot, tmp_path, "ftp://nowhere", "admin", "x")
    widget.submit()
    assert widget.message.text() == "服务器地址无效。"
    widget.url.setText("127.0.0.1:1")
    widget.password.setText("")
    widget.submit()
    assert widget.message.text() == "请输入用户名和密码。"


def test_english_messages_when_english_is_chosen(qtbot, tmp_path, live: LivePlatform) -> None:
    widget = dialog(qtbot, tmp_path, live.url, "admin", "wrong")
    widget.settings.setValue("language", "en")
    assert message_after_submit(qtbot, widget) == "Wrong username or password."


def test_local_demo_choice(qtbot, tmp_path) -> None:
    widget = dialog(qtbot, tmp_path, "", "", "")
    widget.demo_choice.setChecked(True)
    assert widget.ok.text() == "启动本地演示"
    with qtbot.wait_signal(widget.demo_chosen):
        widget.submit()
    assert widget.settings.value("login/mode") == "demo"
