"""The case policy: validation, merging of defaults and rules, TTS templates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from console.domain.model import CaseState
from console.platform.case_policy import DEFAULT_POLICY, Policy, gbk_problem, render


def test_the_default_policy_opens_level_2_dsm_and_platform_overspeed_and_fatigue() -> None:
    policy = Policy.default()
    opens = {
        (code, level): policy.effective(code, level=level, severity=3).open_case
        for code, level in (
            ("dsm.01", 2),
            ("dsm.02@yuebiao", 2),
            ("dsm.01", 1),
            ("adas.01", 2),
            ("platform.overspeed", None),
            ("platform.fatigue", None),
            ("platform.offline", None),
        )
    }
    assert opens == {
        ("dsm.01", 2): True,
        ("dsm.02@yuebiao", 2): True,
        ("dsm.01", 1): False,
        ("adas.01", 2): False,
        ("platform.overspeed", None): True,
        ("platform.fatigue", None): True,
        ("platform.offline", None): False,
    }


def test_rules_merge_less_specific_first_field_by_field() -> None:
    policy = Policy.parse(
        {
            "defaults": {"deadlines_min": {"notified": 600}},
            "rules": [
                {"match": "dsm.01", "deadlines_min": {"new": 5}, "merge_window_min": 10},
                {"match": "dsm", "open_case": True, "deadlines_min": {"new": 15, "reminded": 20}},
                {"match": "dsm", "min_severity": 4, "deadlines_min": {"new": 1}},
            ],
        }
    )
    fatigue = policy.effective("dsm.01", level=1, severity=3)
    # dsm.01 is more specific than dsm although listed first: its "new" wins; "reminded"
    # comes from the dsm rule, "notified" from the defaults, "feedback" from the built-in.
    assert fatigue.open_case is True and fatigue.merge_window_min == 10
    assert fatigue.deadlines_min == {"new": 5, "reminded": 20, "notified": 600, "feedback": 1440}
    phone = policy.effective("dsm.02@subiao", level=1, severity=3)
    assert phone.deadlines_min["new"] == 15 and phone.merge_window_min == 30
    critical = policy.effective("dsm.02@subiao", level=2, severity=4)
    assert critical.deadlines_min["new"] == 1
    assert not policy.effective("adas.01", level=2, severity=4).open_case


def test_a_prefix_matches_whole_parts_only() -> None:
    policy = Policy.parse({"rules": [{"match": "ad", "open_case": True}]})
    assert not policy.effective("adas.01", level=2, severity=3).open_case


def test_deadlines_of_states() -> None:
    rule = Policy.default().effective("dsm.01", level=2, severity=3)
    t = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)
    assert rule.deadline(CaseState.NEW, t) == datetime(2026, 11, 21, 6, 30, tzinfo=UTC)
    assert rule.deadline(CaseState.CLOSED, t) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([], "JSON object"),
        ({"colour": 1}, "unknown policy keys: colour"),
        ({"rules": [{"open_case": True}]}, "rule 1: match"),
        ({"rules": [{"match": "dsm", "open_case": "yes"}]}, "open_case must be true or false"),
        ({"rules": [{"match": "dsm", "deadlines_min": {"closed": 5}}]}, "not an open case"),
        ({"defaults": {"deadlines_min": {"new": 0}}}, "positive number"),
        ({"escalation": {"max_level": 0}}, "max_level"),
        ({"tts_templates": {"dsm.01": "请停车☃"}}, "not in GBK"),
        ({"tts_templates": {"dsm.01": " "}}, "empty text"),
    ],
)
def test_invalid_policies_say_what_is_wrong(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Policy.parse(value)


def test_templates_fall_back_from_the_code_to_its_family_to_the_default() -> None:
    policy = Policy.parse(
        {"tts_templates": {"default": "注意安全", "dsm": "请专心驾驶", "dsm.02": "请勿打电话"}}
    )
    assert policy.template("dsm.02@yuebiao") == "请勿打电话"
    assert policy.template("dsm.05") == "请专心驾驶"
    assert policy.template("adas.01") == "注意安全"


def test_render_fills_the_placeholders() -> None:
    text = render(
        "{plate}{driver}：{alarm}，车速{speed}公里每小时，时间{time}，{unknown}",
        plate="粤R12345",
        driver="张三",
        speed=87.6,
        type_code="platform.overspeed",
        at=datetime(2026, 11, 21, 6, 5, tzinfo=UTC),
    )
    assert text == "粤R12345张三：超速，车速88公里每小时，时间14:05，{unknown}"
    assert gbk_problem(text) is None
    assert "☃" in (gbk_problem("请☃") or "")


def test_the_default_templates_all_encode_in_gbk() -> None:
    for template in DEFAULT_POLICY["tts_templates"].values():
        assert gbk_problem(template) is None
