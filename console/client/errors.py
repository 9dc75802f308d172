"""What can go wrong talking to the platform, as exceptions that know how to say it.

Every failure of :class:`~console.client.api.PlatformClient` is a :class:`ClientError`
with a machine code (the API's ``error.code`` where the server answered, our own where it
did not) and a sentence for people in Chinese and English, so the login dialog and the
status bar can show it as is.
"""

from __future__ import annotations

from typing import Any

#: code → (中文, English). Codes from the server that are not here fall back to its message.
MESSAGES: dict[str, tuple[str, str]] = {
    "unreachable": (
        "无法连接平台服务器，请检查地址和网络。",
        "The platform server cannot be reached; check the address and the network.",
    ),
    "timeout": ("平台服务器响应超时。", "The platform server did not answer in time."),
    "tls": (
        "安全连接 (TLS) 失败：服务器证书不受信任或无效。",
        "The secure connection (TLS) failed: the server's certificate is not trusted or invalid.",
    ),
    "bad_url": ("服务器地址无效。", "The server address is not valid."),
    "not_a_platform": (
        "该地址不是 TruckWatch 平台。",
        "That address does not answer like a TruckWatch platform.",
    ),
    "invalid_credentials": ("用户名或密码错误。", "Wrong username or password."),
    "account_locked": (
        "账号已被锁定，请稍后再试。",
        "The account is locked; try again later.",
    ),
    "account_inactive": ("账号已停用，请联系管理员。", "The account is disabled; ask an admin."),
    "invalid_token": ("登录已失效，请重新登录。", "The session has ended; log in again."),
    "missing_token": ("请先登录。", "Please log in first."),
    "forbidden": ("没有权限执行此操作。", "You are not allowed to do that."),
    "not_found": ("找不到该对象。", "Not found."),
    "validation_error": ("请求内容有误。", "The request is not valid."),
    "database_unavailable": (
        "平台数据库暂时不可用。",
        "The platform's database is unavailable.",
    ),
    "internal_error": ("平台内部错误。", "The platform had an internal error."),
}


class ClientError(Exception):
    """A failure with a code, the HTTP status if the server answered, and its message."""

    def __init__(
        self,
        code: str,
        message: str = "",
        *,
        status: int | None = None,
        details: Any = None,
        retry_after_s: int | None = None,
        allowed: list[str] | None = None,
    ) -> None:
        self.code = code
        self.allowed = allowed  # 409 invalid_state: the actions the case allows now
        self.message = message or MESSAGES.get(code, ("", code))[1]
        self.status = status
        self.details = details
        self.retry_after_s = retry_after_s
        super().__init__(f"{code}: {self.message}")

    def describe(self, language: str = "zh") -> str:
        """The sentence for people, in ``zh`` or ``en``."""
        zh, en = MESSAGES.get(self.code, (self.message, self.message))
        text = zh if language.startswith("zh") else en
        if self.code == "account_locked" and self.retry_after_s:
            minutes = max(1, round(self.retry_after_s / 60))
            text += (
                f"（约 {minutes} 分钟后解锁）"
                if language.startswith("zh")
                else (f" (about {minutes} min)")
            )
        if self.code not in MESSAGES and self.message:
            return self.message
        return text


class Unreachable(ClientError):
    """No answer: connection refused, DNS failure, timeout, TLS failure."""


class ApiFailure(ClientError):
    """The server answered with an error (``status`` is set)."""


class AuthFailure(ApiFailure):
    """401/403 at login or with an expired token."""


def from_response(status: int, body: Any, headers: Any) -> ApiFailure:
    """The exception for an error response with the API's ``{"error": {...}}`` body."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return ApiFailure(
            "not_a_platform" if status in (404, 405) else f"http_{status}",
            f"HTTP {status}",
            status=status,
        )
    code = str(error.get("code") or f"http_{status}")
    message = str(error.get("message") or "")
    retry = headers.get("Retry-After") if headers is not None else None
    kind = AuthFailure if status in (401, 403) and code != "forbidden" else ApiFailure
    return kind(
        code,
        message,
        status=status,
        details=error.get("details"),
        retry_after_s=int(retry) if retry and str(retry).isdigit() else None,
        allowed=error.get("allowed") if isinstance(error.get("allowed"), list) else None,
    )
