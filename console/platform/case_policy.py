"""The case policy: which alarms open cases, how long repeats attach, the deadlines of each
state, the escalation ladder and the TTS templates (docs/cases.md, "Policies").

Pure: a policy is a validated frozen value made from JSON; :func:`effective` merges the
defaults with the rules that match one alarm, less specific first, so the most specific
rule wins field by field.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from console.domain.alarm_types import by_code
from console.domain.model import CaseState
from console.domain.times import BEIJING

SETTINGS_KEY = "case_policy"
OPEN_STATES = (CaseState.NEW, CaseState.REMINDED, CaseState.NOTIFIED, CaseState.FEEDBACK)

#: What a fresh platform starts with: the programme's rule of thumb (every level-2 DSM alarm
#: and every platform overspeed / fatigue alarm is handled), deadlines of a county room.
DEFAULT_POLICY: dict[str, Any] = {
    "defaults": {
        "open_case": False,
        "merge_window_min": 30,
        "deadlines_min": {"new": 30, "reminded": 30, "notified": 1440, "feedback": 1440},
    },
    "rules": [
        {"match": "dsm", "min_level": 2, "open_case": True},
        {"match": "platform.overspeed", "open_case": True},
        {"match": "platform.fatigue", "open_case": True},
    ],
    "tts_templates": {
        "default": "{plate}驾驶员请注意：平台检测到{alarm}，请规范驾驶，注意安全。",
        "dsm.01": "您已出现疲劳驾驶，请立即在安全地点停车休息。",
        "dsm.02": "驾驶中请勿接打手持电话，请专心驾驶。",
        "dsm.03": "驾驶中请勿抽烟，请专心驾驶。",
        "dsm.04": "请目视前方，专心驾驶。",
        "platform.overspeed": "您已超速，当前车速{speed}公里每小时，请减速慢行。",
        "platform.fatigue": "您已连续驾驶超过4小时，请立即停车休息。",
    },
    "escalation": {
        "deadline_min": 1440,
        "max_level": 3,
        "supervisors": ["县区交通运输主管部门", "市交通运输局", "市安全生产委员会办公室"],
        "handover_user_id": None,
    },
}

_RULE_KEYS = {
    "match",
    "min_level",
    "min_severity",
    "open_case",
    "merge_window_min",
    "deadlines_min",
}
_TOP_KEYS = {"defaults", "rules", "tts_templates", "escalation"}
_ESCALATION_KEYS = {"deadline_min", "max_level", "supervisors", "handover_user_id"}
PLACEHOLDERS = ("plate", "driver", "speed", "alarm", "time")


@dataclass(frozen=True, slots=True)
class AlarmPolicy:
    """The policy of one alarm after merging."""

    open_case: bool
    merge_window_min: float
    deadlines_min: dict[str, float]

    def deadline(self, state: CaseState, now: datetime) -> datetime | None:
        minutes = self.deadlines_min.get(state.value)
        return None if minutes is None or not state.is_open else now + timedelta(minutes=minutes)


@dataclass(frozen=True, slots=True)
class Escalation:
    deadline_min: float
    max_level: int
    supervisors: tuple[str, ...]
    handover_user_id: str | None

    def supervisor(self, level: int) -> str:
        if not self.supervisors or level < 1:
            return ""
        return self.supervisors[min(level, len(self.supervisors)) - 1]


@dataclass(frozen=True, slots=True)
class Policy:
    raw: dict[str, Any]  # the validated JSON, as stored and served

    @classmethod
    def parse(cls, value: Any) -> Policy:
        """Validate ``value`` (JSON) and fill what it leaves out from :data:`DEFAULT_POLICY`;
        ``ValueError`` names the first problem."""
        if not isinstance(value, dict):
            raise ValueError("the policy must be a JSON object")
        unknown = set(value) - _TOP_KEYS
        if unknown:
            raise ValueError(f"unknown policy keys: {', '.join(sorted(unknown))}")
        raw = copy.deepcopy(DEFAULT_POLICY)
        if "defaults" in value:
            _check_fields(value["defaults"], "defaults", _RULE_KEYS - {"match"})
            raw["defaults"] = _merge(raw["defaults"], value["defaults"])
        if "rules" in value:
            if not isinstance(value["rules"], list):
                raise ValueError("rules must be a list")
            for n, rule in enumerate(value["rules"], 1):
                _check_fields(rule, f"rule {n}", _RULE_KEYS)
                if not isinstance(rule.get("match"), str) or not rule["match"].strip():
                    raise ValueError(f"rule {n}: match must be an alarm type code or prefix")
            raw["rules"] = copy.deepcopy(value["rules"])
        if "tts_templates" in value:
            templates = value["tts_templates"]
            if not isinstance(templates, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in templates.items()
            ):
                raise ValueError("tts_templates must map alarm type codes to texts")
            for code, template in templates.items():
                _check_template(code, template)
            raw["tts_templates"] = dict(templates)
        if "escalation" in value:
            escalation = value["escalation"]
            if not isinstance(escalation, dict):
                raise ValueError("escalation must be an object")
            unknown = set(escalation) - _ESCALATION_KEYS
            if unknown:
                raise ValueError(f"escalation: unknown keys {', '.join(sorted(unknown))}")
            raw["escalation"] = {**raw["escalation"], **escalation}
        policy = cls(raw)
        policy.escalation  # noqa: B018 - validates the types
        return policy

    @classmethod
    def default(cls) -> Policy:
        return cls.parse({})

    @property
    def escalation(self) -> Escalation:
        e = self.raw["escalation"]
        deadline, level = e["deadline_min"], e["max_level"]
        if not _is_number(deadline) or deadline <= 0:
            raise ValueError("escalation.deadline_min must be a positive number")
        if not isinstance(level, int) or isinstance(level, bool) or level < 1:
            raise ValueError("escalation.max_level must be a positive integer")
        supervisors = e["supervisors"]
        if not isinstance(supervisors, list) or not all(isinstance(s, str) for s in supervisors):
            raise ValueError("escalation.supervisors must be a list of names")
        handover = e["handover_user_id"]
        if handover is not None and not isinstance(handover, str):
            raise ValueError("escalation.handover_user_id must be a user id or null")
        return Escalation(float(deadline), level, tuple(supervisors), handover)

    def effective(self, type_code: str, *, level: int | None, severity: int) -> AlarmPolicy:
        """The merged policy of an alarm of ``type_code``."""
        merged = copy.deepcopy(self.raw["defaults"])
        matching = [
            (len(rule["match"]), n, rule)
            for n, rule in enumerate(self.raw["rules"])
            if _matches(rule, type_code, level, severity)
        ]
        for _, _, rule in sorted(matching, key=lambda m: (m[0], m[1])):
            merged = _merge(merged, {k: v for k, v in rule.items() if k in _RULE_KEYS - _MATCHERS})
        return AlarmPolicy(
            open_case=bool(merged["open_case"]),
            merge_window_min=float(merged["merge_window_min"]),
            deadlines_min={k: float(v) for k, v in merged["deadlines_min"].items()},
        )

    def template(self, type_code: str) -> str:
        """The TTS template of ``type_code``: exact code, each shorter prefix, the dialect-free
        code, then ``default``."""
        templates = self.raw["tts_templates"]
        for key in _prefixes(type_code):
            if key in templates:
                return templates[key]
        return templates.get("default", DEFAULT_POLICY["tts_templates"]["default"])


_MATCHERS = {"match", "min_level", "min_severity"}


def render(
    template: str,
    *,
    plate: str,
    driver: str,
    speed: float | None,
    type_code: str,
    at: datetime | None,
) -> str:
    """``template`` with its placeholders filled (unknown ones stay as they are)."""
    values = {
        "plate": plate,
        "driver": driver or "驾驶员",
        "speed": "" if speed is None else str(round(speed)),
        "alarm": alarm_name(type_code),
        "time": at.astimezone(BEIJING).strftime("%H:%M") if at else "",
    }
    for key, value in values.items():  # not str.format: a stray brace must not raise
        template = template.replace("{" + key + "}", value)
    return template


def alarm_name(type_code: str) -> str:
    try:
        return by_code(type_code).name_zh
    except (KeyError, ValueError):
        return type_code


def _prefixes(type_code: str) -> list[str]:
    """``dsm.02@yuebiao`` → ``dsm.02@yuebiao``, ``dsm.02``, ``dsm``."""
    keys = [type_code]
    base = type_code.split("@", 1)[0]
    if base != type_code:
        keys.append(base)
    if "." in base:
        keys.append(base.split(".", 1)[0])
    return keys


def _matches(rule: dict[str, Any], type_code: str, level: int | None, severity: int) -> bool:
    match = rule["match"]
    base = type_code.split("@", 1)[0]
    if not (type_code == match or base == match or type_code.startswith(match + ".")):
        return False
    if "min_level" in rule and (level is None or level < rule["min_level"]):
        return False
    return not ("min_severity" in rule and severity < rule["min_severity"])


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        out[key] = {**out[key], **value} if key == "deadlines_min" else value
    return out


def _check_fields(value: Any, where: str, allowed: set[str]) -> None:
    if not isinstance(value, dict):
        raise ValueError(f"{where} must be an object")
    unknown = set(value) - allowed
    if unknown:
        raise ValueError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
    for key in ("min_level", "min_severity"):
        if key in value and (not isinstance(value[key], int) or isinstance(value[key], bool)):
            raise ValueError(f"{where}: {key} must be an integer")
    if "open_case" in value and not isinstance(value["open_case"], bool):
        raise ValueError(f"{where}: open_case must be true or false")
    if "merge_window_min" in value and (
        not _is_number(value["merge_window_min"]) or value["merge_window_min"] < 0
    ):
        raise ValueError(f"{where}: merge_window_min must be a number ≥ 0")
    deadlines = value.get("deadlines_min", {})
    if not isinstance(deadlines, dict):
        raise ValueError(f"{where}: deadlines_min must map states to minutes")
    for state, minutes in deadlines.items():
        if state not in {s.value for s in OPEN_STATES}:
            raise ValueError(f"{where}: deadlines_min: {state!r} is not an open case state")
        if not _is_number(minutes) or minutes <= 0:
            raise ValueError(f"{where}: deadlines_min.{state} must be a positive number")


def _check_template(code: str, template: str) -> None:
    if not template.strip():
        raise ValueError(f"tts_templates.{code}: empty text")
    try:
        render(template, plate="粤A00000", driver="", speed=0, type_code="dsm.01", at=None).encode(
            "gbk"
        )
    except UnicodeEncodeError as exc:
        bad = template[exc.start : exc.end]
        raise ValueError(
            f"tts_templates.{code}: {bad!r} cannot be sent to a terminal (not in GBK)"
        ) from None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def gbk_problem(text: str) -> str | None:
    """Why ``text`` cannot go to a terminal (JT/T 808 texts are GBK), or None."""
    try:
        text.encode("gbk")
    except UnicodeEncodeError as exc:
        return f"{text[exc.start : exc.end]!r} at {exc.start} is not in GBK"
    return None
