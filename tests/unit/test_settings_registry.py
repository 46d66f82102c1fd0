"""The settings registry: types, defaults, families, what may be shared."""

from __future__ import annotations

import pytest

from engage_desktop.core.errors import InvalidInput, NotFound
from engage_desktop.workspace import settings as S


def test_every_setting_is_declared_once_with_a_description():
    keys = [s.key for s in S.SETTINGS]
    assert len(keys) == len(set(keys))
    assert all(s.label and s.description for s in S.SETTINGS)
    assert all(s.default in s.choices for s in S.SETTINGS if s.kind == "choice")


def test_values_are_checked_against_the_declared_type():
    assert S.SLA_HOURS.parse("2.5") == 2.5
    assert S.APPROVAL_REQUIRED.parse("yes") is True
    assert S.APPROVAL_REQUIRED.parse("off") is False
    assert S.STATUS_AFTER_SEND.parse("resolved") == "resolved"
    assert S.BUSINESS_HOURS.parse('{"always": true}') == {"always": True}
    assert S.AGENT_NAME.parse("  ") is None
    for decl, bad in ((S.SLA_HOURS, "soon"), (S.SLA_HOURS, "nan"), (S.APPROVAL_REQUIRED, "maybe"),
                      (S.STATUS_AFTER_SEND, "closed"), (S.BUSINESS_HOURS, "{oops")):  # fmt: skip
        with pytest.raises(InvalidInput) as err:
            decl.parse(bad)
        assert decl.label in str(err.value)


def test_families_and_unknown_keys():
    assert S.setting("account.12.max_characters") is S.ACCOUNT_MAX_CHARACTERS
    assert S.ACCOUNT_MAX_CHARACTERS.key_for(12) == "account.12.max_characters"
    with pytest.raises(NotFound, match=r"there is no setting 'sla\.hours'"):
        S.setting("sla.hours")


def test_settings_naming_our_team_do_not_travel():
    keys = ["brand.name", "agent.name", "account.3.max_characters", "sla.first_response_hours",
            "someone.elses.key"]  # fmt: skip
    assert S.shared_keys(keys) == ["brand.name", "sla.first_response_hours"]
