"""console/platform/notify.py: webhooks in the settings, the outbox, the channel formats and
signatures, and delivery to a real local HTTP receiver (success, retry, give-up, refused,
closed connection), with no credential in stored errors or logs."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, quote_plus, urlsplit

import pytest
from sqlalchemy import select

from console.platform.config import PlatformConfig
from console.platform.metrics import Metrics
from console.platform.notify import (
    SETTINGS_KEY,
    Notifier,
    Webhook,
    deliveries,
    enqueue,
    format_request,
    load_webhooks,
    parse_webhooks,
    redact,
    save_webhooks,
)
from console.platform.store import Store
from console.platform.store.schema import outbox, settings

T0 = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)
TOKEN = "5e3d587e-d78e-4a07-bd07-265f269f86fd"
SECRET = "SECf00dfeedbeefc0ffee0123456789"

CASE: dict[str, Any] = {
    "id": "case_1",
    "vehicle_id": "veh_1",
    "plate": "粤R12345",
    "county_id": "cty_a",
    "enterprise_id": "ent_a1",
    "type_code": "dsm.01",
    "severity": 3,
    "state": "notified",
    "deadline": "2026-11-22T06:00:00+00:00",  # 11-22 14:00 in Beijing
}
NOTIFY: dict[str, Any] = {
    "id": 7,
    "case_id": "case_1",
    "action": "notify",
    "from_state": "new",
    "to_state": "notified",
    "at": "2026-11-21T06:00:00+00:00",
    "username": "op_a",
    "note": "请立即整改",
    "detail": {"deadline": "2026-11-22T06:00:00+00:00"},
}


# --------------------------------------------------------------------------- a real receiver


@dataclass
class Received:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A local HTTP server that records each POST and answers per ``script``: a (status,
    JSON) pair, or "close" to drop the connection; then 200 with every robot's "ok"."""

    server: ThreadingHTTPServer
    received: list[Received] = field(default_factory=list)
    script: list[Any] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def next_reply(self, request: Received) -> Any:
        with self.lock:
            self.received.append(request)
            if self.script:
                return self.script.pop(0)
        return (200, {"errcode": 0, "errmsg": "ok", "code": 0, "msg": "success"})


def _handler(receiver_of: dict[str, Receiver]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            parts = urlsplit(self.path)
            request = Received(parts.path, parse_qs(parts.query), dict(self.headers), body)
            reply = receiver_of["it"].next_reply(request)
            if reply == "close":
                self.close_connection = True
                return  # no answer: the client sees the connection closed
            status, answer = reply
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    holder: dict[str, Receiver] = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(holder))
    holder["it"] = Receiver(server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder["it"]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def refused_url(path: str) -> str:
    """A loopback URL where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


# --------------------------------------------------------------------------- helpers


def make_notifier(store: Store, tmp_path: Path, **config: Any) -> Notifier:
    settings_ = {
        "outbox_max_attempts": 3,
        "outbox_backoff_s": 15.0,
        "webhook_timeout_s": 3.0,
        "outbox_poll_s": 0.05,
        **config,
    }
    platform = SimpleNamespace(
        store=store,
        config=PlatformConfig(db_url=store.url, data_dir=tmp_path, **settings_),
        clock=lambda: T0.timestamp(),
        metrics=Metrics(),
    )
    return Notifier(platform)


def configure(store: Store, *hooks: Webhook) -> None:
    with store.begin() as conn:
        save_webhooks(conn, list(hooks), user_id=None, now=T0)


def queue(store: Store, case: dict[str, Any] = CASE, event: dict[str, Any] = NOTIFY) -> int:
    with store.begin() as conn:
        return enqueue(conn, case, event, now=T0)


def the_delivery(store: Store) -> dict[str, Any]:
    with store.connect() as conn:
        (found,) = deliveries(conn, "case_1")
    return found


def wecom(url: str, **kw: Any) -> Webhook:
    return Webhook(id=kw.pop("id", "w1"), name="清城区监控群", kind="wecom", url=url, **kw)


# --------------------------------------------------------------------------- parsing


def test_parse_fills_defaults() -> None:
    (hook,) = parse_webhooks([{"id": "w1", "kind": "http", "url": "https://example.com/hook"}])
    assert hook == Webhook(id="w1", name="w1", kind="http", url="https://example.com/hook")


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ({"id": "w1", "kind": "sms", "url": "https://x.example/"}, ["'w1'", "kind"]),
        ({"id": "w1", "kind": "http", "url": "ftp://x.example/"}, ["'w1'", "url"]),
        ({"id": "w1", "kind": "http", "url": "https:///nohost"}, ["'w1'", "url"]),
        ({"id": "w1", "kind": "http", "url": "https://x/", "actions": ["boom"]}, ["boom"]),
        ({"id": "w1", "kind": "http", "url": "https://x/", "colour": 1}, ["colour"]),
        ({"id": "w1", "kind": "http", "url": "https://x/", "enabled": "yes"}, ["enabled"]),
        ({"kind": "http", "url": "https://x/"}, ["#1", "id"]),
        ("nope", ["#1"]),
    ],
)
def test_parse_refuses_bad_entries(entry: Any, words: list[str]) -> None:
    with pytest.raises(ValueError) as raised:
        parse_webhooks([entry])
    for word in words:
        assert word in str(raised.value)


def test_parse_refuses_duplicate_ids() -> None:
    entry = {"id": "w1", "kind": "http", "url": "https://x.example/"}
    with pytest.raises(ValueError, match=r"'w1'.*twice"):
        parse_webhooks([entry, entry])


def test_save_and_load_replace_the_setting(store: Store) -> None:
    assert queue(store) == 0  # nothing configured: nothing queued
    first = wecom("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k1")
    configure(store, first)
    second = Webhook(id="w2", name="钉钉", kind="dingtalk", url="https://x.example/", secret="s")
    configure(store, first, second)
    with store.connect() as conn:
        assert load_webhooks(conn) == [first, second]
        rows = conn.execute(select(settings).where(settings.c.key == SETTINGS_KEY)).all()
    assert len(rows) == 1


# --------------------------------------------------------------------------- enqueue


@pytest.mark.parametrize(
    ("hook", "expected"),
    [
        (wecom("https://x.example/"), 1),
        (wecom("https://x.example/", county_id="cty_a"), 1),
        (wecom("https://x.example/", county_id="cty_b"), 0),
        (wecom("https://x.example/", enterprise_id="ent_a1"), 1),
        (wecom("https://x.example/", enterprise_id="ent_a2"), 0),
        (wecom("https://x.example/", actions=("close",)), 0),
        (wecom("https://x.example/", enabled=False), 0),
    ],
)
def test_enqueue_matches_scope_action_and_enabled(
    store: Store, hook: Webhook, expected: int
) -> None:
    configure(store, hook)
    assert queue(store) == expected


def test_enqueue_writes_a_pending_row_per_webhook(store: Store) -> None:
    configure(store, wecom("https://a.example/"), wecom("https://b.example/", id="w2"))
    assert queue(store) == 2
    with store.connect() as conn:
        rows = conn.execute(select(outbox).order_by(outbox.c.id)).all()
    assert [(r.channel_id, r.status, r.attempts) for r in rows] == [
        ("w1", "pending", 0),
        ("w2", "pending", 0),
    ]
    assert rows[0].next_attempt_at == T0
    payload = rows[0].payload
    assert payload["case"]["plate"] == "粤R12345"
    assert payload["event"]["action"] == "notify"
    assert payload["title"] == "【通报】粤R12345 疲劳驾驶报警"
    assert payload["text"].splitlines()[0] == (
        "【通报】粤R12345 疲劳驾驶报警 请于 11-22 14:00 前处理并反馈"
    )
    assert "请立即整改" in payload["text"]
    assert "op_a 11-21 14:00" in payload["text"]


def test_enqueue_accepts_datetimes_and_drops_actions(store: Store) -> None:
    configure(store, wecom("https://a.example/", actions=("escalate",)))
    case = {**CASE, "deadline": T0 + timedelta(days=1), "actions": {"notify": {}}}
    event = {
        **NOTIFY,
        "action": "escalate",
        "detail": {"level": 1, "supervisor": "县区交通运输主管部门", "automatic": True},
    }
    assert queue(store, case, event) == 1
    with store.connect() as conn:
        payload = conn.execute(select(outbox.c.payload)).scalar_one()
    assert "actions" not in payload["case"]
    assert payload["case"]["deadline"] == "2026-11-22T06:00:00+00:00"
    assert "逾期自动督办：第1级 县区交通运输主管部门" in payload["text"]


# --------------------------------------------------------------------------- formats


PAYLOAD = {"case": CASE, "event": NOTIFY, "title": "【通报】粤R12345", "text": "第一行\n第二行"}


def test_wecom_format() -> None:
    url, _, body = format_request("wecom", PAYLOAD, url="https://w/?key=k", secret="", now=T0)
    assert url == "https://w/?key=k"
    assert body == {"msgtype": "markdown", "markdown": {"content": "**第一行**\n\n第二行"}}


def test_dingtalk_format_and_sign() -> None:
    base = "https://oapi.dingtalk.com/robot/send?access_token=abc"
    url, _, body = format_request("dingtalk", PAYLOAD, url=base, secret=SECRET, now=T0)
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"] == "【通报】粤R12345"
    assert body["markdown"]["text"].startswith("**第一行**")
    query = parse_qs(urlsplit(url).query)
    timestamp = int(T0.timestamp() * 1000)
    assert query["access_token"] == ["abc"]
    assert query["timestamp"] == [str(timestamp)]
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert query["sign"] == [expected]  # parse_qs undid the URL encoding
    assert f"sign={quote_plus(expected)}" in url


def test_dingtalk_without_secret_is_unsigned() -> None:
    url, _, _ = format_request(
        "dingtalk", PAYLOAD, url="https://d/?access_token=a", secret="", now=T0
    )
    assert url == "https://d/?access_token=a"


def test_feishu_format_and_sign() -> None:
    url = f"https://open.feishu.cn/open-apis/bot/v2/hook/{TOKEN}"
    _, _, body = format_request("feishu", PAYLOAD, url=url, secret=SECRET, now=T0)
    timestamp = int(T0.timestamp())
    expected = base64.b64encode(
        hmac.new(f"{timestamp}\n{SECRET}".encode(), b"", hashlib.sha256).digest()
    ).decode()
    assert body == {
        "timestamp": str(timestamp),
        "sign": expected,
        "msg_type": "text",
        "content": {"text": "第一行\n第二行"},
    }
    _, _, unsigned = format_request("feishu", PAYLOAD, url=url, secret="", now=T0)
    assert "sign" not in unsigned


def test_http_format_is_the_payload() -> None:
    _, headers, body = format_request("http", PAYLOAD, url="https://h/", secret="", now=T0)
    assert body == PAYLOAD
    assert "X-TruckWatch-Signature" not in headers


# --------------------------------------------------------------------------- redaction


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7x", "693a91f6"),
        ("https://oapi.dingtalk.com/robot/send?access_token=abc&sign=x%2B&timestamp=1", "abc"),
        (f"https://open.feishu.cn/open-apis/bot/v2/hook/{TOKEN}", TOKEN),
        ("with url: /robot/send?token=zzz&secret=yyy (Caused by", "zzz"),
        ("https://h.example/hooks/0123456789abcdef0123/x", "0123456789abcdef0123"),
        ("https://user:pa55@h.example/x", "pa55"),
    ],
)
def test_redact_hides_credentials(text: str, hidden: str) -> None:
    assert hidden not in redact(text)
    assert "***" in redact(text)


def test_redact_keeps_plain_urls() -> None:
    text = "https://h.example/case-notifications/receive?lang=zh"
    assert redact(text) == text


# --------------------------------------------------------------------------- delivery


def test_delivers_to_wecom(store: Store, tmp_path: Path, receiver: Receiver) -> None:
    configure(store, wecom(receiver.url("/cgi-bin/webhook/send?key=k1")))
    queue(store)
    notifier = make_notifier(store, tmp_path)
    assert notifier.deliver_due(T0) == 1
    (request,) = receiver.received
    assert request.query == {"key": ["k1"]}
    assert request.json["markdown"]["content"].startswith("**【通报】粤R12345 疲劳驾驶报警")
    delivery = the_delivery(store)
    assert (delivery["status"], delivery["attempts"], delivery["last_error"]) == ("sent", 1, "")
    assert delivery["channel_name"] == "清城区监控群"
    assert delivery["next_attempt_at"] == T0.isoformat()  # when it went, not the claim's lease
    assert notifier.deliver_due(T0 + timedelta(hours=1)) == 0  # nothing sent twice
    assert notifier.metrics.get("webhook_sent") == 1


def test_dingtalk_signature_reaches_the_receiver(
    store: Store, tmp_path: Path, receiver: Receiver
) -> None:
    configure(
        store,
        Webhook(
            id="d1",
            name="钉钉群",
            kind="dingtalk",
            url=receiver.url("/robot/send?access_token=abc"),
            secret=SECRET,
        ),
    )
    queue(store)
    make_notifier(store, tmp_path).deliver_due(T0)
    (request,) = receiver.received
    timestamp = request.query["timestamp"][0]
    assert timestamp == str(int(T0.timestamp() * 1000))
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert request.query["sign"] == [expected]


def test_http_signature_covers_the_body(store: Store, tmp_path: Path, receiver: Receiver) -> None:
    configure(
        store, Webhook(id="h1", name="接口", kind="http", url=receiver.url("/in"), secret=SECRET)
    )
    queue(store)
    make_notifier(store, tmp_path).deliver_due(T0)
    (request,) = receiver.received
    expected = hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-TruckWatch-Signature"] == f"sha256={expected}"
    assert request.json["case"]["id"] == "case_1"
    assert request.json["event"]["action"] == "notify"


def test_feishu_accepts_code_zero(store: Store, tmp_path: Path, receiver: Receiver) -> None:
    url = receiver.url(f"/open-apis/bot/v2/hook/{TOKEN}")
    configure(store, Webhook(id="f1", name="飞书", kind="feishu", url=url, secret=SECRET))
    queue(store)
    receiver.script = [(200, {"code": 19021, "msg": "sign match fail"}), (200, {"code": 0})]
    notifier = make_notifier(store, tmp_path)
    notifier.deliver_due(T0)
    failed = the_delivery(store)
    assert failed["status"] == "pending"
    assert "19021" in failed["last_error"]
    assert "sign match fail" in failed["last_error"]
    notifier.deliver_due(T0 + timedelta(seconds=15))
    assert the_delivery(store)["status"] == "sent"
    assert receiver.received[-1].json["msg_type"] == "text"


def test_failure_then_retry_with_backoff(store: Store, tmp_path: Path, receiver: Receiver) -> None:
    configure(store, wecom(receiver.url("/send?key=k1")))
    queue(store)
    receiver.script = [(500, {"errmsg": "busy"}), (500, {}), (200, {"errcode": 0})]
    notifier = make_notifier(store, tmp_path, outbox_max_attempts=5)

    assert notifier.deliver_due(T0) == 1
    first = the_delivery(store)
    assert (first["status"], first["attempts"]) == ("pending", 1)
    assert first["last_error"] == "HTTP 500: busy"
    assert first["next_attempt_at"] == (T0 + timedelta(seconds=15)).isoformat()

    assert notifier.deliver_due(T0 + timedelta(seconds=14)) == 0  # not due yet
    assert notifier.deliver_due(T0 + timedelta(seconds=15)) == 1
    second = the_delivery(store)
    assert (second["status"], second["attempts"]) == ("pending", 2)
    assert second["next_attempt_at"] == (T0 + timedelta(seconds=15 + 30)).isoformat()

    assert notifier.deliver_due(T0 + timedelta(seconds=45)) == 1
    done = the_delivery(store)
    assert (done["status"], done["attempts"], done["last_error"]) == ("sent", 3, "")
    assert len(receiver.received) == 3
    assert notifier.metrics.get("webhook_retry") == 2


def test_gives_up_after_max_attempts(store: Store, tmp_path: Path, receiver: Receiver) -> None:
    configure(store, wecom(receiver.url("/send?key=k1")))
    queue(store)
    receiver.script = [(200, {"errcode": 310000, "errmsg": "sign not match"})] * 3
    notifier = make_notifier(store, tmp_path, outbox_max_attempts=3)
    now = T0
    for _ in range(3):
        assert notifier.deliver_due(now) == 1
        now += timedelta(hours=2)
    failed = the_delivery(store)
    assert (failed["status"], failed["attempts"]) == ("failed", 3)
    assert failed["last_error"] == "errcode 310000: sign not match"
    assert notifier.deliver_due(now + timedelta(days=1)) == 0
    assert notifier.metrics.get("webhook_failed") == 1


def test_backoff_is_capped_at_an_hour(store: Store, tmp_path: Path) -> None:
    configure(store, wecom(refused_url("/send")))
    queue(store)
    notifier = make_notifier(store, tmp_path, outbox_max_attempts=20, outbox_backoff_s=1000)
    notifier.deliver_due(T0)
    now = T0 + timedelta(seconds=1000)
    notifier.deliver_due(now)  # the second delay would be 2000 s: still below the cap
    now += timedelta(seconds=2000)
    notifier.deliver_due(now)  # the third would be 4000 s: capped
    assert the_delivery(store)["next_attempt_at"] == (now + timedelta(hours=1)).isoformat()


def test_refused_connection_is_retried_without_leaking_secrets(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = refused_url("/robot/send?access_token=tok3n0123456789abc")
    configure(store, Webhook(id="d1", name="钉钉", kind="dingtalk", url=url, secret=SECRET))
    queue(store)
    caplog.set_level(logging.DEBUG)
    make_notifier(store, tmp_path).deliver_due(T0)
    delivery = the_delivery(store)
    assert delivery["status"] == "pending"
    assert delivery["last_error"].startswith("ConnectionError")
    assert "refused" in delivery["last_error"].lower()
    for text in (delivery["last_error"], caplog.text):
        assert "tok3n0123456789abc" not in text
        assert SECRET not in text
    assert "delivery to 钉钉 (dingtalk) failed" in caplog.text


def test_closed_connection_keeps_feishu_token_out_of_logs(
    store: Store, tmp_path: Path, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    url = receiver.url(f"/open-apis/bot/v2/hook/{TOKEN}")
    configure(store, Webhook(id="f1", name="飞书", kind="feishu", url=url, secret=SECRET))
    queue(store)
    receiver.script = ["close"]
    caplog.set_level(logging.DEBUG)
    notifier = make_notifier(store, tmp_path)
    notifier.deliver_due(T0)
    delivery = the_delivery(store)
    assert (delivery["status"], delivery["attempts"]) == ("pending", 1)
    assert delivery["last_error"].startswith("ConnectionError")
    notifier.deliver_due(T0 + timedelta(seconds=15))
    assert the_delivery(store)["status"] == "sent"
    assert len(receiver.received) == 2
    assert TOKEN not in caplog.text
    assert SECRET not in caplog.text


def test_removed_channel_fails_the_row(store: Store, tmp_path: Path) -> None:
    configure(store, wecom("https://x.example/"))
    queue(store)
    configure(store)  # the admin deleted the webhook
    make_notifier(store, tmp_path).deliver_due(T0)
    delivery = the_delivery(store)
    assert (delivery["status"], delivery["last_error"]) == ("failed", "channel removed")
    assert delivery["channel_name"] == ""


def test_a_stopping_pass_hands_its_rows_back(store: Store, tmp_path: Path) -> None:
    configure(store, wecom("https://x.example/"))
    queue(store)
    notifier = make_notifier(store, tmp_path)
    notifier._halt.set()  # what stop() does while a pass runs in its thread
    assert notifier.deliver_due(T0 + timedelta(seconds=5)) == 0
    delivery = the_delivery(store)
    assert (delivery["status"], delivery["attempts"]) == ("pending", 0)
    assert delivery["next_attempt_at"] == (T0 + timedelta(seconds=5)).isoformat()


def test_deliveries_lists_oldest_first(store: Store, tmp_path: Path) -> None:
    configure(store, wecom("https://a.example/"), wecom("https://b.example/", id="w2"))
    queue(store)
    with store.connect() as conn:
        found = deliveries(conn, "case_1")
        assert deliveries(conn, "case_other") == []
    assert [d["channel_id"] for d in found] == ["w1", "w2"]
    assert set(found[0]) == {
        "id",
        "channel_id",
        "channel_name",
        "kind",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "updated_at",
    }
    assert found[0]["next_attempt_at"] == T0.isoformat()


# --------------------------------------------------------------------------- the running loop


async def _poll(condition: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.02)
    return condition()


def test_running_notifier_delivers(store: Store, tmp_path: Path, receiver: Receiver) -> None:
    configure(store, wecom(receiver.url("/send?key=k1")))
    queue(store)  # due at T0, long past
    notifier = make_notifier(store, tmp_path)
    notifier.clock = time.time

    async def scenario() -> bool:
        assert await notifier.start() == 0
        try:
            return await _poll(lambda: the_delivery(store)["status"] == "sent", 10)
        finally:
            await notifier.stop()

    assert asyncio.run(scenario())
    assert len(receiver.received) == 1


def test_running_notifier_survives_a_dead_database(tmp_path: Path) -> None:
    dead = Store.open(f"sqlite:///{tmp_path / 'missing' / 'dir' / 'x.db'}", migrate=False)
    notifier = make_notifier(dead, tmp_path)

    async def scenario() -> bool:
        await notifier.start()
        try:
            return await _poll(lambda: notifier.metrics.get("outbox_errors") >= 3, 10)
        finally:
            await notifier.stop()

    try:
        assert asyncio.run(scenario())
    finally:
        dead.close()
