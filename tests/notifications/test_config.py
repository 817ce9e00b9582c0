"""Notification settings: read from the file and the environment, refused with the key named."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from dataflare.cli import main
from dataflare.core.errors import InvalidInput
from dataflare.notifications.config import load


def write(home: Path, text: str) -> Path:
    path = home / "notifications.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[slack]\nchanel = "#x"\n', "unknown setting slack.chanel."),
        ('[delivery]\nmax_attempts = "3"\n', "delivery.max_attempts must be a whole number"),
        ("[delivery]\nbackoff_seconds = -1\n", "delivery.backoff_seconds must be a number of at"),
        (
            '[slack]\nbot_token = "x"\nchannel = "#c"\n[[slack.routes]]\npriority = ["URGENT"]\n'
            'channel = "#u"\n',
            "slack.routes[0].priority has 'URGENT'; use CRITICAL, HIGH, MEDIUM, LOW.",
        ),
        (
            '[slack]\nwebhook_url = "https://hooks.example.com/x"\n[[slack.routes]]\n'
            'channel = "#u"\n',
            "slack.routes[0].webhook_url must be set (Slack is in incoming-webhook mode).",
        ),
        ('[slack]\nbot_token = "x"\n', "slack.channel must be set in bot-token mode"),
        ('[slack]\nchannel = "#c"\n', "slack.bot_token or webhook_url must be set"),
        (
            '[[webhooks]]\nname = "a"\nurl = "http://hooks.example.com/x"\nsecrets = ["s"]\n',
            "webhooks[0].url must be an https URL (got 'http://hooks.example.com/x').",
        ),
        (
            '[[webhooks]]\nname = "a"\nurl = "https://h.example.com"\nsecrets = ["1", "2", "3"]\n',
            "webhooks[0].secrets must hold one secret, or two while rotating (got 3).",
        ),
        ('[[webhooks]]\nurl = "https://h.example.com"\nsecrets = ["s"]\n', "webhooks[0].name must"),
        ('[email]\nenabled = true\nhost = "smtp"\n', "email.from must be set when e-mail is"),
        ('public_url = "dataflare.example.com"\n', "public_url must be an http(s) URL"),
        ("downstream_depth = 1.5\n", "downstream_depth must be a whole number"),
        ("downstream_depth = 21\n", "downstream_depth must be at most 20 (got 21)."),
        (
            '[[webhooks]]\nname = "a"\nurl = "https://h.example.com/a b"\nsecrets = ["s"]\n',
            "webhooks[0].url must be ASCII without spaces, percent-encoded",
        ),
        (
            '[[webhooks]]\nname = "a"\nurl = "https://h.example.com/é"\nsecrets = ["s"]\n',
            "webhooks[0].url must be ASCII without spaces, percent-encoded",
        ),
        (
            "[delivery]\nlease_seconds = 10\n",
            "delivery.lease_seconds must be longer than timeout_seconds (10)",
        ),
        ("[slack\n", "not valid TOML"),
    ],
)
def test_a_mistake_in_the_file_is_refused_with_the_key_named(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InvalidInput) as refused:
        load(tmp_path)
    assert refused.value.message.startswith(f"{path}: ")
    assert message in refused.value.message


def test_the_file_gives_every_destination(tmp_path: Path) -> None:
    write(
        tmp_path,
        """
public_url = "https://dataflare.example.com/"
downstream_depth = 2

[slack]
bot_token = "xoxb-1"
channel = "#incidents"
user_groups = { "data-eng" = "S1" }

[[slack.routes]]
priority = ["CRITICAL"]
owner_group = ["urn:li:corpGroup:finance"]
channel = "#finance-critical"

[[webhooks]]
name = "pager"
url = "https://pager.example.com/hook"
secrets = ["new", "old"]

[email]
enabled = true
host = "smtp.example.com"
port = 587
starttls = true
from = "dataflare@example.com"

[delivery]
max_attempts = 5
""",
    )
    config = load(tmp_path)
    assert config.public_url == "https://dataflare.example.com"
    assert config.downstream_depth == 2
    assert config.slack is not None
    assert config.slack.user_groups == {"urn:li:corpGroup:data-eng": "S1"}
    assert config.slack.routes[0].destination == "slack:#finance-critical"
    assert config.slack.routes[0].owner_groups == ("urn:li:corpGroup:finance",)
    assert [w.destination for w in config.webhooks] == ["webhook:pager"]
    assert config.email is not None and config.email.starttls
    assert config.delivery.max_attempts == 5


def test_environment_variables_configure_the_single_destination_case(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATAFLARE_SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T/B/x")
    monkeypatch.setenv("DATAFLARE_WEBHOOK_URL", "https://ops.example.com/hook")
    monkeypatch.setenv("DATAFLARE_WEBHOOK_SECRETS", "new,old")
    monkeypatch.setenv("DATAFLARE_PUBLIC_URL", "https://df.example.com")

    config = load(tmp_path)  # no file at all

    assert config.slack is not None
    assert config.slack.webhook_url == "https://hooks.slack.com/services/T/B/x"
    assert config.slack.default_destination.startswith("slack:webhook:")
    assert [(w.name, w.secrets) for w in config.webhooks] == [("env", ("new", "old"))]
    assert config.public_url == "https://df.example.com"


def test_a_named_settings_file_must_exist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATAFLARE_NOTIFICATIONS_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(InvalidInput, match=r"DATAFLARE_NOTIFICATIONS_CONFIG names .*missing\.toml"):
        load(tmp_path)


@pytest.mark.parametrize("command", [["serve"], ["worker", "--once"]])
def test_serve_and_worker_refuse_to_start_on_a_bad_file(
    tmp_path: Path, database_url: str, command: list[str]
) -> None:
    write(tmp_path, '[slack]\nchanel = "#x"\n')
    env = {"DATAFLARE_HOME": str(tmp_path), "DATAFLARE_DATABASE_URL": database_url}
    result = CliRunner().invoke(main, command, env=env)
    assert result.exit_code == 1
    assert f"Error: {tmp_path}/notifications.toml: unknown setting slack.chanel." in result.output
