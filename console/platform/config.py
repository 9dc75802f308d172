"""Settings of one platform process."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class PlatformConfig:
    db_url: str
    data_dir: Path
    host: str = "127.0.0.1"  # where every listener binds
    #: The address terminals are told to use for the attachment and media servers
    #: (0x9208, 0x9101); defaults to ``host``. A public room sets its public IP here.
    public_host: str | None = None
    jt808_port: int = 0  # 0: pick a free port
    attachment_port: int = 0
    media_port: int = 0
    http_port: int = 0
    # --- terminal links ---
    heartbeat_s: float = 30.0  # the terminals' heartbeat interval (JT/T 808 parameter 0x0001)
    idle_timeout_s: float | None = None  # None: 3 × heartbeat
    max_connections: int = 50_000
    max_frame_size: int = 4096
    lenient: bool = False  # accept frames with a wrong check code (counted either way)
    # --- commands ---
    command_timeout_s: float = 10.0
    command_retries: int = 2
    # --- ingest ---
    group_commit_max: int = 2000  # messages per transaction at most
    group_commit_wait_s: float = 0.005  # how long a batch may wait for company
    # --- live events ---
    position_coalesce_s: float = 0.5
    event_retention_days: int = 7
    # --- vehicles ---
    offline_after_s: float = 180.0  # no message for this long: offline
    # --- users ---
    token_ttl_s: float = 12 * 3600
    lockout_failures: int = 5
    lockout_s: float = 15 * 60
    # --- cases ---
    case_sweep_s: float = 30.0  # how often deadlines are checked (overdue → escalate)
    max_attachment_bytes: int = 20 * 1024 * 1024  # one file attached to a case action
    # --- outbound notifications (webhooks) ---
    outbox_poll_s: float = 2.0  # how often due deliveries are looked for
    outbox_max_attempts: int = 8  # then the delivery is marked failed (visible on the case)
    outbox_backoff_s: float = 15.0  # first retry delay; doubles per attempt, at most 1 h
    webhook_timeout_s: float = 10.0
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def idle_timeout(self) -> float:
        return self.idle_timeout_s if self.idle_timeout_s is not None else 3 * self.heartbeat_s

    @property
    def advertised_host(self) -> str:
        host = self.public_host or self.host
        return "127.0.0.1" if host in ("0.0.0.0", "::", "") else host

    @property
    def case_files_dir(self) -> Path:
        return self.data_dir / "case-files"

    @property
    def evidence_dir(self) -> Path:
        return self.data_dir / "evidence"
