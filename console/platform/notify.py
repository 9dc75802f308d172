"""Outbound notifications of case changes: WeCom (企业微信), DingTalk (钉钉) and Feishu (飞书)
group robots and a generic HTTP webhook, delivered from a durable outbox.

The workflow calls :func:`enqueue` inside the transaction of a case change: one ``outbox``
row per matching webhook, committed with the change or not at all. :class:`Notifier` (a
platform component) later claims the due rows, posts them with ``requests`` outside any
transaction, and records the outcome: ``sent``, or a retry with exponential backoff, or
``failed`` after ``outbox_max_attempts``. :func:`deliveries` shows them on the case.

The webhooks are a platform setting (key ``webhooks``) edited by admins. Their URLs carry
credentials (``?key=``, ``?access_token=``, Feishu's hook token), so everything that leaves
this module for a log or the database goes through :func:`redact` first.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import logging
import re
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any
from urllib.parse import quote_plus, urlsplit

import requests
from sqlalchemy import Connection, insert, select, update

from console.domain.alarm_types import by_code
from console.domain.model import MEASURE_NAMES, CaseAction, Measure
from console.domain.times import BEIJING, parse_time
from console.platform.store.schema import outbox
from console.platform.store.settings import get_setting, put_setting

log = logging.getLogger(__name__)

WEBHOOK_KINDS = ("wecom", "dingtalk", "feishu", "http")
SETTINGS_KEY = "webhooks"
#: What a webhook sends when its entry names no actions: what asks someone to act.
DEFAULT_ACTIONS = ("notify", "escalate", "return")

#: Rows claimed per pass: a bounded batch keeps one pass short when a backlog built up.
BATCH = 50
#: Retry delays double per attempt up to this.
MAX_BACKOFF_S = 3600.0
#: How much of an error is kept on the row (after redaction).
MAX_ERROR_CHARS = 300
#: Markdown/text bodies of the robots are limited (WeCom: 4096 bytes); stay well below.
MAX_TEXT_CHARS = 1500


ACTION_NAMES_ZH: dict[str, str] = {
    CaseAction.OPEN: "新工单",
    CaseAction.ATTACH: "追加报警",
    CaseAction.REMIND: "提醒",
    CaseAction.NOTIFY: "通报",
    CaseAction.FEEDBACK: "企业反馈",
    CaseAction.CLOSE: "办结",
    CaseAction.RETURN: "退回",
    CaseAction.DISMISS: "误报",
    CaseAction.REOPEN: "重新打开",
    CaseAction.ESCALATE: "督办",
}
_CLOSED_STATES = ("closed", "dismissed")
_FIELDS = {
    "id",
    "name",
    "kind",
    "url",
    "secret",
    "county_id",
    "enterprise_id",
    "actions",
    "enabled",
}


# --------------------------------------------------------------------------- webhooks


@dataclass(frozen=True, slots=True)
class Webhook:
    id: str
    name: str
    kind: str
    url: str
    secret: str = ""
    county_id: str | None = None
    enterprise_id: str | None = None
    #: The case actions (CaseAction values) whose audit events are sent.
    actions: tuple[str, ...] = DEFAULT_ACTIONS
    enabled: bool = True

    def wants(self, case: dict[str, Any], action: str) -> bool:
        """Whether a change of ``case`` by ``action`` goes to this webhook."""
        return (
            self.enabled
            and action in self.actions
            and self.county_id in (None, case.get("county_id"))
            and self.enterprise_id in (None, case.get("enterprise_id"))
        )

    def to_json(self) -> dict[str, Any]:
        value = asdict(self)
        value["actions"] = list(self.actions)
        return value


def parse_webhooks(value: Any) -> list[Webhook]:
    """The webhooks in a settings value (a list of objects); ValueError naming the entry."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError("webhooks: expected a list of webhook objects")
    hooks = [_parse_webhook(entry, index) for index, entry in enumerate(value)]
    seen: set[str] = set()
    for hook in hooks:
        if hook.id in seen:
            raise ValueError(f"webhook {hook.id!r}: the id is used twice")
        seen.add(hook.id)
    return hooks


def _parse_webhook(entry: Any, index: int) -> Webhook:
    where = f"webhook #{index + 1}"
    if not isinstance(entry, dict):
        raise ValueError(f"{where}: expected an object")
    hook_id = entry.get("id")
    if not isinstance(hook_id, str) or not hook_id.strip() or len(hook_id) > 40:
        raise ValueError(f"{where}: 'id' must be a non-empty string of at most 40 characters")
    where = f"webhook {hook_id!r}"
    unknown = sorted(set(entry) - _FIELDS)
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {', '.join(unknown)}")
    name = _string(entry, "name", where, default="") or hook_id
    kind = _string(entry, "kind", where)
    if kind not in WEBHOOK_KINDS:
        raise ValueError(f"{where}: 'kind' must be one of {', '.join(WEBHOOK_KINDS)}")
    url = _string(entry, "url", where)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{where}: 'url' must be an http(s) URL with a host")
    actions = entry.get("actions", list(DEFAULT_ACTIONS))
    if not isinstance(actions, list | tuple) or not all(isinstance(a, str) for a in actions):
        raise ValueError(f"{where}: 'actions' must be a list of case actions")
    valid = {a.value for a in CaseAction}
    bad = [a for a in actions if a not in valid]
    if bad:
        raise ValueError(
            f"{where}: unknown action(s) {', '.join(bad)}; known: {', '.join(sorted(valid))}"
        )
    enabled = entry.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ValueError(f"{where}: 'enabled' must be true or false")
    return Webhook(
        id=hook_id,
        name=name,
        kind=kind,
        url=url,
        secret=_string(entry, "secret", where, default=""),
        county_id=_optional_string(entry, "county_id", where),
        enterprise_id=_optional_string(entry, "enterprise_id", where),
        actions=tuple(dict.fromkeys(actions)),
        enabled=enabled,
    )


def _string(entry: dict[str, Any], key: str, where: str, *, default: str | None = None) -> str:
    value = entry.get(key, default)
    if not isinstance(value, str) or (default is None and not value.strip()):
        wanted = "a string" if default is not None else "a non-empty string"
        raise ValueError(f"{where}: '{key}' must be {wanted}")
    return value.strip()


def _optional_string(entry: dict[str, Any], key: str, where: str) -> str | None:
    value = entry.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"{where}: '{key}' must be a string or null")
    return value


def load_webhooks(conn: Connection) -> list[Webhook]:
    """The configured webhooks (one settings read). A stored entry that no longer parses
    is skipped with an error in the log: a bad setting must not break case changes."""
    value = get_setting(conn, SETTINGS_KEY)
    try:
        return parse_webhooks(value)
    except ValueError as exc:
        log.error("stored webhooks are invalid (%s); using the valid entries", redact(str(exc)))
    hooks: list[Webhook] = []
    for index, entry in enumerate(value if isinstance(value, list) else []):
        with contextlib.suppress(ValueError):
            hook = _parse_webhook(entry, index)
            if all(h.id != hook.id for h in hooks):
                hooks.append(hook)
    return hooks


def save_webhooks(
    conn: Connection, hooks: list[Webhook], *, user_id: str | None, now: datetime
) -> None:
    """Store ``hooks`` as the webhooks setting (insert or replace)."""
    put_setting(conn, SETTINGS_KEY, [h.to_json() for h in hooks], user_id=user_id, now=now)


# --------------------------------------------------------------------------- the outbox


def enqueue(conn: Connection, case: dict[str, Any], event: dict[str, Any], *, now: datetime) -> int:
    """Queue the audit ``event`` of ``case`` for every webhook that wants it; call inside
    the transaction of the case change. Returns the number of outbox rows written."""
    action = str(event.get("action", ""))
    hooks = [h for h in load_webhooks(conn) if h.wants(case, action)]
    if not hooks:
        return 0
    case_json = _jsonable({k: v for k, v in case.items() if k != "actions"})
    event_json = _jsonable(event)
    title, text = message(case_json, event_json)
    payload = {"case": case_json, "event": event_json, "title": title, "text": text}
    rows = [
        {
            "case_id": case_json.get("id"),
            "channel_id": hook.id,
            "kind": hook.kind,
            "payload": payload,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "last_error": "",
            "created_at": now,
            "updated_at": now,
        }
        for hook in hooks
    ]
    conn.execute(insert(outbox), rows)
    return len(rows)


def _jsonable(value: Any) -> Any:
    """``value`` as plain JSON (the workflow may hand over datetimes or enums)."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=_json_default))


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


def message(case: dict[str, Any], event: dict[str, Any]) -> tuple[str, str]:
    """A readable Chinese title and text for a case change, e.g. title
    ``【通报】粤R12345 疲劳驾驶报警`` and a text whose first line asks to handle it before
    the deadline (Beijing time)."""
    action = str(event.get("action", ""))
    title = f"【{ACTION_NAMES_ZH.get(action, action)}】{case.get('plate', '')} "
    title += _type_name(str(case.get("type_code", "")))
    headline = title
    deadline = _deadline_of(case, event)
    if deadline is not None and case.get("state") not in _CLOSED_STATES:
        headline += f" 请于 {_beijing(deadline)} 前处理并反馈"
    lines = [headline, *_detail_lines(action, event)]
    note = str(event.get("note") or "").strip()
    if note:
        lines.append(f"说明：{note}")
    actor = str(event.get("username") or "")
    at = parse_time(event.get("at"))
    if actor or at:
        lines.append(f"操作：{actor}{' ' + _beijing(at) if at else ''}".rstrip())
    if case.get("id"):
        lines.append(f"工单：{case['id']}")
    return title, "\n".join(lines)[:MAX_TEXT_CHARS]


def _detail_lines(action: str, event: dict[str, Any]) -> list[str]:
    detail = event.get("detail") or {}
    if action == CaseAction.ESCALATE:
        level = detail.get("level")
        supervisor = detail.get("supervisor") or ""
        how = "逾期自动督办" if detail.get("automatic") else "督办"
        return [f"{how}：第{level}级 {supervisor}".rstrip()] if level else []
    if action == CaseAction.FEEDBACK:
        names = [_measure_name(m) for m in detail.get("measures") or []]
        return [f"处理措施：{'、'.join(names)}"] if names else []
    return []


def _measure_name(value: str) -> str:
    try:
        return MEASURE_NAMES[Measure(value)][0]
    except ValueError:
        return value


def _type_name(code: str) -> str:
    try:
        return by_code(code).name_zh
    except KeyError:
        return code


def _deadline_of(case: dict[str, Any], event: dict[str, Any]) -> datetime | None:
    detail = event.get("detail") or {}
    return parse_time(detail.get("deadline")) or parse_time(case.get("deadline"))


def _beijing(moment: datetime) -> str:
    return moment.astimezone(BEIJING).strftime("%m-%d %H:%M")


def deliveries(conn: Connection, case_id: str) -> list[dict[str, Any]]:
    """The webhook deliveries of a case, oldest first, for the case detail."""
    names = {h.id: h.name for h in load_webhooks(conn)}
    rows = conn.execute(
        select(outbox).where(outbox.c.case_id == case_id).order_by(outbox.c.id)
    ).all()
    return [
        {
            "id": r.id,
            "channel_id": r.channel_id,
            "channel_name": names.get(r.channel_id, ""),
            "kind": r.kind,
            "status": r.status,
            "attempts": r.attempts,
            "last_error": r.last_error,
            "next_attempt_at": r.next_attempt_at.isoformat(),
            "updated_at": r.updated_at.isoformat(),
        }
        for r in rows
    ]


# --------------------------------------------------------------------------- channel formats


def format_request(
    kind: str, payload: dict[str, Any], *, url: str, secret: str, now: datetime
) -> tuple[str, dict[str, str], dict[str, Any]]:
    """What to POST for ``payload`` on a channel of ``kind``: (url, headers, JSON body)."""
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "TruckWatch"}
    title, text = str(payload.get("title", "")), str(payload.get("text", ""))
    if kind == "wecom":
        return url, headers, {"msgtype": "markdown", "markdown": {"content": _markdown(text)}}
    if kind == "dingtalk":
        body = {"msgtype": "markdown", "markdown": {"title": title, "text": _markdown(text)}}
        if secret:
            timestamp = int(now.timestamp() * 1000)
            separator = "&" if urlsplit(url).query else "?"
            url += f"{separator}timestamp={timestamp}&sign={dingtalk_sign(timestamp, secret)}"
        return url, headers, body
    if kind == "feishu":
        body = {"msg_type": "text", "content": {"text": text}}
        if secret:
            timestamp = int(now.timestamp())
            body = {"timestamp": str(timestamp), "sign": feishu_sign(timestamp, secret), **body}
        return url, headers, body
    if kind == "http":
        if secret:
            digest = hmac.new(secret.encode(), encode_body(payload), hashlib.sha256).hexdigest()
            headers["X-TruckWatch-Signature"] = f"sha256={digest}"
        return url, headers, payload
    raise ValueError(f"unknown webhook kind {kind!r}")


def encode_body(body: dict[str, Any]) -> bytes:
    """The exact bytes sent (and signed, for the generic webhook)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def dingtalk_sign(timestamp_ms: int, secret: str) -> str:
    """DingTalk 加签: HMAC-SHA256 keyed by the secret over "timestamp\\nsecret", base64,
    then URL-encoded (for the query string)."""
    digest = hmac.new(
        secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return quote_plus(base64.b64encode(digest).decode())


def feishu_sign(timestamp_s: int, secret: str) -> str:
    """Feishu 签名校验: HMAC-SHA256 keyed by "timestamp\\nsecret" over an empty message,
    base64 (it goes in the JSON body, not in the URL)."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _markdown(text: str) -> str:
    first, _, rest = text.partition("\n")
    # Both robots' markdown wants a blank line for a line break.
    return "\n\n".join([f"**{first}**", *rest.splitlines()]) if rest else f"**{first}**"


def accepted(kind: str, response: requests.Response) -> tuple[bool, str]:
    """Whether the receiver took the message, and why not (unredacted) if it did not."""
    answer = _json_answer(response)
    if not 200 <= response.status_code < 300:
        reason = _answer_message(answer) or response.text.strip()[:100] or response.reason
        return False, f"HTTP {response.status_code}: {reason}".rstrip(": ")
    if kind in ("wecom", "dingtalk"):
        code = answer.get("errcode")
        if code == 0:
            return True, ""
        return False, f"errcode {code}: {answer.get('errmsg', '')}".rstrip(": ")
    if kind == "feishu":
        if answer.get("code") == 0 or answer.get("StatusCode") == 0:
            return True, ""
        code = answer.get("code", answer.get("StatusCode"))
        return False, f"code {code}: {_answer_message(answer)}".rstrip(": ")
    return True, ""


def _json_answer(response: requests.Response) -> dict[str, Any]:
    try:
        answer = response.json()
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


def _answer_message(answer: dict[str, Any]) -> str:
    for key in ("errmsg", "msg", "StatusMessage", "message", "error"):
        if answer.get(key):
            return str(answer[key])
    return ""


# --------------------------------------------------------------------------- redaction

_SECRET_QUERY = re.compile(
    r"(?i)([?&;](?:key|access_token|token|sign|secret|timestamp)=)[^&\s#'\"<>)]+"
)
_FEISHU_TOKEN = re.compile(r"(/open-apis/bot/v2/hook/)[^/?\s#'\"<>)]+")
_TOKEN_SEGMENT = re.compile(r"(?i)(?<=/)(?:[0-9a-f-]{16,}|[A-Za-z0-9_-]{32,})(?=[/?#\s'\"<>)]|$)")
_USERINFO = re.compile(r"(?i)(\bhttps?://)[^/\s@]+@")


def redact(text: str) -> str:
    """``text`` with the credentials of webhook URLs hidden: the values of key,
    access_token, token, sign, secret and timestamp parameters, Feishu's hook token, any
    path segment that looks like a token, and user:password@."""
    text = _USERINFO.sub(r"\1***@", text)
    text = _SECRET_QUERY.sub(r"\1***", text)
    text = _FEISHU_TOKEN.sub(r"\1***", text)
    return _TOKEN_SEGMENT.sub(lambda m: "***" if _tokenish(m.group()) else m.group(), text)


def _tokenish(segment: str) -> bool:
    # A long hex or uuid run is a token; a long word (a-z, -) alone is probably a path.
    return any(c.isdigit() for c in segment)


class _RedactingFilter(logging.Filter):
    """Redacts the records of the HTTP libraries, which log request paths at DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        # A malformed record stays as it is: the handler reports it as usual.
        with contextlib.suppress(Exception):
            record.msg, record.args = redact(record.getMessage()), ()
        return True


_FILTER = _RedactingFilter()


def _guard_library_logs() -> None:
    for name in ("urllib3.connectionpool", "urllib3.connection", "urllib3.util.retry"):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


# --------------------------------------------------------------------------- delivery


@dataclass(slots=True)
class _Claimed:
    id: int
    channel_id: str
    attempts: int
    payload: dict[str, Any]


class Notifier:
    """The platform component that delivers the outbox: a pass every ``outbox_poll_s``."""

    def __init__(self, platform: Any) -> None:
        self.store = platform.store
        self.config = platform.config
        self.clock = platform.clock
        self.metrics = platform.metrics
        self._task: asyncio.Task[None] | None = None
        self._stopping: asyncio.Event | None = None
        self._halt = threading.Event()  # tells a pass running in a thread to stop early
        _guard_library_logs()

    # --- life cycle -----------------------------------------------------------------------
    async def start(self) -> int:
        self._halt.clear()
        self._stopping = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._run(), name="notifier")
        return 0

    async def stop(self) -> None:
        if self._task is None or self._stopping is None:
            return
        self._stopping.set()
        self._halt.set()
        # Let a pass in flight finish its HTTP call (bounded by the webhook timeout).
        try:
            await asyncio.wait_for(self._task, self.config.webhook_timeout_s + 5)
        except TimeoutError:
            log.warning("notifier: a delivery pass did not finish in time")
        self._task = None

    async def _run(self) -> None:
        assert self._stopping is not None
        while not self._stopping.is_set():
            done = 0
            try:
                done = await asyncio.to_thread(self.deliver_due)
            except Exception as exc:  # a dead database must not end the loop
                self.metrics.inc("outbox_errors")
                log.warning("notifier: delivery pass failed: %s", redact(_describe(exc)))
            if done >= BATCH:
                continue  # a backlog: go on at once
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.config.outbox_poll_s)

    # --- one pass -------------------------------------------------------------------------
    def deliver_due(self, now: datetime | None = None) -> int:
        """Deliver the due rows once (synchronous); returns how many were processed."""
        now = now or datetime.fromtimestamp(self.clock(), UTC)
        claimed, hooks = self._claim(now)
        for done, row in enumerate(claimed):
            if self._halt.is_set():  # stopping: hand the rest back rather than keep stop waiting
                self._release([r.id for r in claimed[done:]], now)
                return done
            self._deliver(row, hooks.get(row.channel_id), now)
        return len(claimed)

    def _release(self, row_ids: list[int], now: datetime) -> None:
        with self.store.begin() as conn:
            conn.execute(update(outbox).where(outbox.c.id.in_(row_ids)).values(next_attempt_at=now))

    def _claim(self, now: datetime) -> tuple[list[_Claimed], dict[str, Webhook]]:
        """Take the due rows: their next attempt moves past the time a delivery can take,
        so another process (or this one, after a crash) picks them up only if the attempt
        never got recorded."""
        lease_until = now + timedelta(seconds=2 * self.config.webhook_timeout_s + 60)
        with self.store.begin() as conn:
            query = (
                select(outbox.c.id, outbox.c.channel_id, outbox.c.attempts, outbox.c.payload)
                .where(outbox.c.status == "pending", outbox.c.next_attempt_at <= now)
                .order_by(outbox.c.next_attempt_at, outbox.c.id)
                .limit(BATCH)
            )
            if conn.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = [
                _Claimed(r.id, r.channel_id, r.attempts, r.payload) for r in conn.execute(query)
            ]
            if not rows:
                return [], {}
            conn.execute(
                update(outbox)
                .where(outbox.c.id.in_([r.id for r in rows]))
                .values(next_attempt_at=lease_until, updated_at=now)
            )
            hooks = {h.id: h for h in load_webhooks(conn)}
        return rows, hooks

    def _deliver(self, row: _Claimed, hook: Webhook | None, now: datetime) -> None:
        if hook is None or not hook.enabled:
            reason = "channel removed" if hook is None else "channel disabled"
            log.warning("outbox %d: %s (channel %s)", row.id, reason, row.channel_id)
            self._record(row.id, status="failed", attempts=row.attempts, error=reason, now=now)
            self.metrics.inc("webhook_failed")
            return
        ok, error = self._post(hook, row.payload, now)
        if ok:
            self._record(row.id, status="sent", attempts=row.attempts + 1, error="", now=now)
            self.metrics.inc("webhook_sent")
            log.info("outbox %d: sent to %s (%s)", row.id, hook.name, hook.kind)
            return
        self._failed_attempt(row, hook, _scrub(error, hook), now)

    def _post(self, hook: Webhook, payload: dict[str, Any], now: datetime) -> tuple[bool, str]:
        url, headers, body = format_request(
            hook.kind, payload, url=hook.url, secret=hook.secret, now=now
        )
        try:
            # Sent as the bytes that were signed (requests' json= would encode differently).
            response = requests.post(
                url, data=encode_body(body), headers=headers, timeout=self.config.webhook_timeout_s
            )
        except Exception as exc:  # refused, timed out, or a bug: one row must not stop a pass
            return False, _describe(exc)
        with response:
            return accepted(hook.kind, response)

    def _failed_attempt(self, row: _Claimed, hook: Webhook, error: str, now: datetime) -> None:
        attempts = row.attempts + 1
        give_up = attempts >= self.config.outbox_max_attempts
        delay = min(self.config.outbox_backoff_s * 2 ** (attempts - 1), MAX_BACKOFF_S)
        self._record(
            row.id,
            status="failed" if give_up else "pending",
            attempts=attempts,
            error=error,
            now=now,
            next_attempt_at=None if give_up else now + timedelta(seconds=delay),
        )
        self.metrics.inc("webhook_failed" if give_up else "webhook_retry")
        log.warning(
            "outbox %d: delivery to %s (%s) failed, attempt %d/%d%s: %s",
            row.id,
            hook.name,
            hook.kind,
            attempts,
            self.config.outbox_max_attempts,
            ", giving up" if give_up else f", next in {delay:.0f} s",
            error,
        )

    def _record(
        self,
        row_id: int,
        *,
        status: str,
        attempts: int,
        error: str,
        now: datetime,
        next_attempt_at: datetime | None = None,
    ) -> None:
        """Store the outcome of an attempt; a finished row (sent, failed) keeps the time of
        its last attempt as ``next_attempt_at`` instead of the claim's lease."""
        values: dict[str, Any] = {
            "status": status,
            "attempts": attempts,
            "last_error": redact(error)[:MAX_ERROR_CHARS],
            "updated_at": now,
            "next_attempt_at": next_attempt_at or now,
        }
        with self.store.begin() as conn:
            conn.execute(update(outbox).where(outbox.c.id == row_id).values(values))


def _describe(exc: BaseException) -> str:
    """A short account of an exception: its class and the gist of its message."""
    text = str(exc)
    errno = re.search(r"\[Errno -?\d+\] [^'\")]+", text)
    if errno:
        text = errno.group()
    elif isinstance(exc, requests.Timeout):
        text = "no answer in time"
    return f"{type(exc).__name__}: {text}"[:MAX_ERROR_CHARS]


def _scrub(error: str, hook: Webhook) -> str:
    """``error`` redacted, and without the hook's secret should a receiver echo it."""
    error = redact(error)
    if hook.secret:
        error = error.replace(hook.secret, "***")
    return error
