"""The platform's REST API as plain method calls (``requests``, synchronous).

The GUI calls these from worker threads, never from the UI thread (ARCHITECTURE.md). The
answers are the API's JSON shapes (documented at ``/docs`` of a running platform); errors
are :class:`~console.client.errors.ClientError` subclasses with a code and a sentence.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from console.client.errors import ApiFailure, ClientError, Unreachable, from_response

PREFIX = "/api/v1"
DEFAULT_TIMEOUT_S = 10.0


def normalise_url(url: str) -> str:
    """``host:8808`` → ``http://host:8808``; no trailing slash; raises ``bad_url``."""
    url = url.strip()
    if not url:
        raise ClientError("bad_url", "empty server address")
    if "://" not in url:
        url = "http://" + url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ClientError("bad_url", f"not an http(s) address: {url}")
    return url.rstrip("/")


class PlatformClient:
    """One logged-in (or not yet) connection to a platform.

    ``verify`` is requests' TLS setting: True, False (never in a monitoring room) or the
    path of a CA bundle for a platform with its own certificate authority.
    """

    def __init__(
        self,
        base_url: str,
        *,
        verify: bool | str = True,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self.base_url = normalise_url(base_url)
        self.verify = verify
        self.timeout_s = timeout_s
        self.token: str | None = None
        self.user: dict[str, Any] | None = None
        self._local = threading.local()  # a requests.Session is not thread-safe

    # --- plumbing ---------------------------------------------------------------------------
    @property
    def session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.verify = self.verify
            self._local.session = session
        return session

    def url(self, path: str) -> str:
        return f"{self.base_url}{PREFIX}{path}"

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        timeout_s: float | None = None,
        stream: bool = False,
        headers: Mapping[str, str] | None = None,
        data: Any = None,
    ) -> requests.Response:
        """Send one request; an error answer or no answer raises :class:`ClientError`."""
        try:
            response = self.session.request(
                method,
                self.url(path),
                params=_query(params),
                json=json,
                data=data,
                headers={**self.headers(), **(headers or {})},
                timeout=timeout_s or self.timeout_s,
                stream=stream,
            )
        except requests.exceptions.SSLError as exc:
            raise Unreachable("tls", str(exc)) from exc
        except requests.exceptions.Timeout as exc:
            raise Unreachable("timeout", str(exc)) from exc
        except requests.exceptions.InvalidURL as exc:
            raise ClientError("bad_url", str(exc)) from exc
        except requests.exceptions.RequestException as exc:
            raise Unreachable("unreachable", str(exc)) from exc
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                body = None
            response.close()
            raise from_response(response.status_code, body, response.headers)
        return response

    def get(self, path: str, **params: Any) -> Any:
        return _json(self.request("GET", path, params=params))

    def post(self, path: str, body: Any = None) -> Any:
        response = self.request("POST", path, json=body)
        return None if response.status_code == 204 else _json(response)

    def put(self, path: str, body: Any = None) -> Any:
        response = self.request("PUT", path, json=body)
        return None if response.status_code == 204 else _json(response)

    # --- session ----------------------------------------------------------------------------
    def login(self, username: str, password: str) -> dict[str, Any]:
        """Log in; keeps the token and returns the user (``UserOut``)."""
        answer = self.post("/auth/login", {"username": username, "password": password})
        if not isinstance(answer, dict) or "token" not in answer:
            raise ClientError("not_a_platform", "the login answer has no token")
        self.token = answer["token"]
        self.user = answer["user"]
        return answer["user"]

    def logout(self) -> None:
        if self.token is None:
            return
        try:
            self.post("/auth/logout")
        finally:
            self.token = None
            self.user = None

    def health(self) -> dict[str, Any]:
        """``{"status", "db", "version", "time"}``; a 503 still returns the body."""
        try:
            response = self.session.get(self.url("/health"), timeout=self.timeout_s)
        except requests.exceptions.SSLError as exc:
            raise Unreachable("tls", str(exc)) from exc
        except requests.exceptions.RequestException as exc:
            raise Unreachable("unreachable", str(exc)) from exc
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or "status" not in body:
            raise ApiFailure("not_a_platform", f"HTTP {response.status_code}")
        return body

    # --- vehicles ---------------------------------------------------------------------------
    def vehicle_tree(self) -> dict[str, Any]:
        """County → enterprise → vehicles with online/total counts (``VehicleTreeOut``)."""
        return self.get("/vehicles", tree=1)

    def vehicles(self, **filters: Any) -> list[dict[str, Any]]:
        return self.get("/vehicles", **filters)

    def vehicle(self, vehicle_id: str) -> dict[str, Any]:
        return self.get(f"/vehicles/{vehicle_id}")

    def track(self, vehicle_id: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
        answer = self.get(f"/vehicles/{vehicle_id}/track", start=start, end=end)
        return answer["positions"]

    # --- alarms -----------------------------------------------------------------------------
    def alarms(self, **filters: Any) -> dict[str, Any]:
        """A page: ``{"items", "total", "offset", "limit"}``, newest first by default."""
        return self.get("/alarms", **filters)

    def alarm(self, alarm_id: str) -> dict[str, Any]:
        return self.get(f"/alarms/{alarm_id}")

    def alarm_evidence(self, alarm_id: str) -> dict[str, Any]:
        return self.get(f"/alarms/{alarm_id}/evidence")

    def request_evidence(self, alarm_id: str) -> dict[str, Any]:
        return self.post(f"/alarms/{alarm_id}/evidence/request")

    # --- commands ---------------------------------------------------------------------------
    def send_text(self, vehicle_id: str, text: str, *, tts: bool = True) -> dict[str, Any]:
        return self.post(f"/vehicles/{vehicle_id}/commands/text", {"text": text, "tts": tts})

    def take_photo(self, vehicle_id: str, channel: int = 1) -> dict[str, Any]:
        return self.post(f"/vehicles/{vehicle_id}/commands/photo", {"channel": channel})

    def command(self, command_id: str) -> dict[str, Any]:
        return self.get(f"/commands/{command_id}")

    # --- cases (docs/cases.md) --------------------------------------------------------------
    def cases(self, **filters: Any) -> dict[str, Any]:
        """A page ``{"items": [Case…], "total"}``, newest first. Filters as the API's query
        (``state`` may be a list: it repeats); datetimes with their offset."""
        return self.get("/cases", **filters)

    def case(self, case_id: str) -> dict[str, Any]:
        """A case with its ``alarms``, ``events`` (oldest first), ``deliveries`` and
        ``reminder_text``."""
        return self.get(f"/cases/{case_id}")

    def case_action(
        self, case_id: str, action: str, body: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Do ``action`` (remind, notify, feedback, close, return, dismiss, reopen,
        escalate); answers the updated case detail. 403 (role, scope), 409
        ``invalid_state`` (``details``/``allowed``), 422 (bad body) raise ClientError."""
        return self.post(f"/cases/{case_id}/actions/{action}", dict(body or {}))

    def upload_attachment(
        self,
        data: bytes | str | Path,
        name: str,
        content_type: str = "application/octet-stream",
        *,
        progress: Callable[[int, int], None] | None = None,
    ) -> dict[str, Any]:
        """Upload a file (bytes, or a path to read) for a case's feedback; answers the
        Attachment. ``progress(sent, total)`` is called from this thread as it goes."""
        if isinstance(data, (str, Path)):
            data = Path(data).read_bytes()
        body = _Upload(bytes(data), progress) if progress is not None else bytes(data)
        response = self.request(
            "POST",
            "/attachments",
            params={"name": name},
            data=body,
            headers={"Content-Type": content_type},
            timeout_s=max(self.timeout_s, 120.0),
        )
        return _json(response)

    def attachment(self, attachment_id: str) -> bytes:
        """The content of an uploaded attachment."""
        return self.request("GET", f"/attachments/{attachment_id}").content

    def case_stats(self, start: datetime, end: datetime, by: str = "county") -> dict[str, Any]:
        """Statistics of the cases opened in ``[start, end)`` per ``county`` or
        ``enterprise``: ``{"rows": [...], "total": {...}}``."""
        return self.get("/cases/stats", start=start, end=end, by=by)

    def policies(self) -> dict[str, Any]:
        return self.get("/policies")

    def put_policies(self, policies: Mapping[str, Any]) -> dict[str, Any]:
        return self.put("/policies", dict(policies))


class _Upload:
    """A request body read in blocks by http.client, reporting how much has gone."""

    BLOCK = 64 * 1024

    def __init__(self, data: bytes, progress: Callable[[int, int], None]) -> None:
        self.data = data
        self.progress = progress
        self.sent = 0

    def __len__(self) -> int:  # requests sets Content-Length from it
        return len(self.data)

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = len(self.data) - self.sent
        chunk = self.data[self.sent : self.sent + min(size, self.BLOCK)]
        self.sent += len(chunk)
        if chunk:
            self.progress(self.sent, len(self.data))
        return chunk


def _query(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Drop ``None``s; datetimes as ISO 8601 (they must carry their UTC offset)."""
    if not params:
        return None
    out: dict[str, Any] = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, bool):
            value = "true" if value else "false"
        out[key] = value
    return out


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise ApiFailure(
            "not_a_platform", f"not JSON: {response.text[:80]!r}", status=response.status_code
        ) from exc
