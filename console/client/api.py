"""The platform's REST API as plain method calls (``requests``, synchronous).

The GUI calls these from worker threads, never from the UI thread (ARCHITECTURE.md). The
answers are the API's JSON shapes (documented at ``/docs`` of a running platform); errors
are :class:`~console.client.errors.ClientError` subclasses with a code and a sentence.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import datetime
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
    ) -> requests.Response:
        """Send one request; an error answer or no answer raises :class:`ClientError`."""
        try:
            response = self.session.request(
                method,
                self.url(path),
                params=_query(params),
                json=json,
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
