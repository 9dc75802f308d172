"""``GET /webhooks`` and ``PUT /webhooks``: the outbound notification channels (admins).

Answers never carry credentials: the URL is redacted and a set secret reads ``"***"``.
So that an admin can edit the list they were shown, a PUT entry whose secret is ``"***"``
or whose URL equals the redacted stored one keeps the stored value of the same id.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from console.platform.api.deps import AdminOnly, ApiError, ConnDep, CtxDep, now_of
from console.platform.api.schemas import ErrorOut
from console.platform.ids import new_id
from console.platform.notify import Webhook, load_webhooks, parse_webhooks, redact, save_webhooks

router = APIRouter(tags=["webhooks"])

MASK = "***"
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut},
    403: {"model": ErrorOut},
    422: {"model": ErrorOut},
}
_EXAMPLE = [
    {
        "id": "whk_qingcheng",
        "name": "清城区监控群",
        "kind": "wecom",
        "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…",
        "secret": "",
        "county_id": "cty_…",
        "enterprise_id": None,
        "actions": ["notify", "escalate", "return"],
        "enabled": True,
    }
]


def masked(hook: Webhook) -> dict[str, Any]:
    """``hook`` as an answer shows it: URL redacted, secret hidden."""
    shown = hook.to_json()
    shown["url"] = redact(hook.url)
    shown["secret"] = MASK if hook.secret else ""
    return shown


@router.get("/webhooks", responses=_ERRORS)
def get_webhooks(conn: ConnDep, _admin: AdminOnly) -> list[dict[str, Any]]:
    """The webhooks (WeCom, DingTalk, Feishu group robots, generic HTTP), credentials
    masked."""
    return [masked(h) for h in load_webhooks(conn)]


@router.put("/webhooks", responses=_ERRORS)
def put_webhooks(
    ctx: CtxDep,
    admin: AdminOnly,
    entries: Annotated[list[Any], Body(examples=[_EXAMPLE])],
) -> list[dict[str, Any]]:
    """Replace the webhooks. ``kind``: wecom, dingtalk, feishu or http; ``actions``: the
    case actions whose audit events are sent; ``county_id``/``enterprise_id`` narrow them
    to one county's or enterprise's cases. An entry without ``id`` gets one."""
    with ctx.store.begin() as conn:
        stored = {h.id: h for h in load_webhooks(conn)}
        try:
            hooks = parse_webhooks([_restore(entry, stored) for entry in entries])
        except ValueError as exc:
            raise ApiError(422, "invalid_webhooks", redact(str(exc))) from None
        save_webhooks(conn, hooks, user_id=admin.id, now=now_of(ctx))
    return [masked(h) for h in hooks]


def _restore(entry: Any, stored: dict[str, Webhook]) -> Any:
    """``entry`` with the masked values it was shown replaced by the stored ones."""
    if not isinstance(entry, dict):
        return entry  # parse_webhooks says what is wrong with it
    entry = dict(entry)
    if not entry.get("id"):
        entry["id"] = new_id("whk")
    where = f"webhook {entry['id']!r}"
    old = stored.get(entry["id"]) if isinstance(entry["id"], str) else None
    if entry.get("secret") == MASK:
        if old is None:
            raise ApiError(422, "invalid_webhooks", f"{where}: set the secret, not '{MASK}'")
        entry["secret"] = old.secret
    url = entry.get("url")
    if old is not None and url == redact(old.url):
        entry["url"] = old.url
    elif isinstance(url, str) and MASK in url:
        raise ApiError(422, "invalid_webhooks", f"{where}: the url is masked; enter the full url")
    return entry
