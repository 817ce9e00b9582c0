"""The policy file: checked whole, every error naming its line; rules apply in order."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataflare.app import create_app
from dataflare.assertions.policy import Decision, Policy, Subject, load, parse
from dataflare.core.config import Settings
from dataflare.core.errors import InvalidInput

DBT_ORDERS = Subject({"dbt", "snowflake"}, "DATASET", "urn:li:dataset:orders", ["urn:li:tag:pii"])


def test_without_a_file_the_defaults_apply(tmp_path: Path) -> None:
    assert load(tmp_path) == Policy()
    assert Policy().decide(DBT_ORDERS) == Decision()


def test_later_rules_set_only_what_they_name() -> None:
    found = parse(
        """
[defaults]
priority = "LOW"

[[rule]]
platform = "dbt"
priority = "HIGH"
failures_before_raising = 3

[[rule]]
tag = "urn:li:tag:pii"
assertion_type = "DATASET"
priority = "CRITICAL"

[[rule]]
platform = "great-expectations"
enabled = false
""",
        "assertions.toml",
    )

    assert found.decide(DBT_ORDERS) == Decision(priority="CRITICAL", failures_before_raising=3)
    assert found.decide(Subject({"airflow"}, "VOLUME", None)) == Decision(priority="LOW")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[defaults]\nenabled = 1\n", "line 2: enabled must be true or false"),
        ("[defaults]\n\npriority = 'URGENT'\n", "line 3: priority must be CRITICAL, HIGH"),
        (
            "[[rule]]\nplatform = 'dbt'\n[[rule]]\ntag = 'x'\nfailures_before_raising = 0\n",
            "line 5: failures_before_raising must be a whole number from 1 to 1000",
        ),
        ("[[rule]]\nplatfrom = 'dbt'\n", "line 2: unknown key 'platfrom'"),
        ("[[rule]]\nenabled = false\n", "line 1: a rule names at least one of platform"),
        ("[[rule]]\nassertion_type = 'ROWS'\n", "line 2: assertion_type must be one of DATASET"),
        ("[default]\nenabled = true\n", "line 1: unknown table [default]"),
        ("[defaults]\nenabled = \n", "not valid TOML: Invalid value (at line 2, column 11)"),
    ],
)
def test_a_mistake_is_named_with_its_line(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse(text, "/home/x/assertions.toml")

    assert message in raised.value.message
    assert raised.value.message.startswith("/home/x/assertions.toml")


def test_the_server_does_not_start_with_a_bad_policy(tmp_path: Path) -> None:
    (tmp_path / "assertions.toml").write_text("[defaults]\nauto_resolve = 'yes'\n")
    settings = Settings(tmp_path, f"sqlite:///{tmp_path / 'x.db'}", None)

    with pytest.raises(InvalidInput) as raised:
        create_app(settings)

    assert "assertions.toml, line 2: auto_resolve must be true or false" in raised.value.message
