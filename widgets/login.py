"""The login dialog: the local demo, or a platform server with username and password.

The server address and the username are remembered (QSettings); the password never is.
Logging in runs off the UI thread; what went wrong (server unreachable, wrong password,
locked account, TLS problem) is shown in the dialog, in the console's language.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from console.client import ClientError, PlatformClient
from widgets import i18n
from widgets.tasks import Tasks


class LoginDialog(QDialog):
    demo_chosen = Signal()
    logged_in = Signal(object)  # the PlatformClient, logged in

    def __init__(self, settings: QSettings, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.tasks = tasks
        self.client: PlatformClient | None = None
        self.setWindowTitle(self.tr("TruckWatch 登录"))
        self.setMinimumWidth(480)

        title = QLabel(self.tr("重型货车主动安全监控台"), self)
        title.setStyleSheet("font-size: 18pt; font-weight: bold;")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.demo_choice = QRadioButton(
            self.tr("本地演示（内置平台 + 模拟车队，无需服务器）"), self
        )
        self.server_choice = QRadioButton(self.tr("连接监控平台服务器"), self)
        choice = QButtonGroup(self)
        choice.addButton(self.demo_choice)
        choice.addButton(self.server_choice)

        self.url = QLineEdit(str(settings.value("login/url", "")), self)
        self.url.setPlaceholderText("http://10.0.0.5:8808")
        self.username = QLineEdit(str(settings.value("login/username", "")), self)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.server_box = QGroupBox(self)
        form = QFormLayout(self.server_box)
        form.addRow(self.tr("服务器地址："), self.url)
        form.addRow(self.tr("用户名："), self.username)
        form.addRow(self.tr("密码："), self.password)

        self.message = QLabel(self)
        self.message.setObjectName("login_message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c62828;")

        self.buttons = QDialogButtonBox(self)
        self.ok = self.buttons.addButton(self.tr("登录"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.tr("退出"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.demo_choice)
        layout.addWidget(self.server_choice)
        layout.addWidget(self.server_box)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

        remembered = str(settings.value("login/mode", "demo"))
        (self.server_choice if remembered == "server" else self.demo_choice).setChecked(True)
        self.server_choice.toggled.connect(self._mode_changed)
        self._mode_changed(self.server_choice.isChecked())
        if self.server_choice.isChecked() and self.username.text():
            self.password.setFocus()

    def _mode_changed(self, server: bool) -> None:
        self.server_box.setEnabled(server)
        self.ok.setText(self.tr("登录") if server else self.tr("启动本地演示"))
        self.message.clear()

    def language(self) -> str:
        return str(self.settings.value("language", i18n.DEFAULT_LANGUAGE))

    def submit(self) -> None:
        if self.demo_choice.isChecked():
            self.settings.setValue("login/mode", "demo")
            self.demo_chosen.emit()
            self.accept()
            return
        try:
            client = PlatformClient(self.url.text())
        except ClientError as exc:
            self.show_error(exc)
            return
        username, password = self.username.text().strip(), self.password.text()
        if not username or not password:
            self.message.setText(self.tr("请输入用户名和密码。"))
            return
        self.settings.setValue("login/mode", "server")
        self.settings.setValue("login/url", client.base_url)
        self.settings.setValue("login/username", username)
        self.set_busy(True)
        self.tasks.run(
            lambda: client.login(username, password), lambda _: self._done(client), self.show_error
        )

    def _done(self, client: PlatformClient) -> None:
        self.set_busy(False)
        self.client = client
        self.password.clear()
        self.logged_in.emit(client)
        self.accept()

    def show_error(self, exc: BaseException) -> None:
        self.set_busy(False)
        text = exc.describe(self.language()) if isinstance(exc, ClientError) else str(exc)
        self.message.setText(text)
        self.password.selectAll()

    def set_busy(self, busy: bool) -> None:
        self.ok.setEnabled(not busy)
        self.server_box.setEnabled(not busy and self.server_choice.isChecked())
        if busy:
            self.message.setStyleSheet("color: #616161;")
            self.message.setText(self.tr("正在登录…"))
        else:
            self.message.setStyleSheet("color: #c62828;")
