"""`dataflare incident ...` and `dataflare check` as pipelines run them: real processes against
a real server, read by their output and exit status."""

from __future__ import annotations

import json
import subprocess
import uuid
from typing import Any

import httpx
import pytest

from dataflare.client import documents
from tests.client.conftest import TOKEN, LiveServer
from tests.e2e.server import DATAFLARE, free_port
from tests.ingest.mcps import dataset, upstreams


class Cli:
    def __init__(self, live: LiveServer) -> None:
        self.env = live.env(DATAFLARE_URL=live.url, DATAFLARE_TOKEN=TOKEN)

    def __call__(self, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [DATAFLARE, *args], env={**self.env, **extra_env}, capture_output=True, text=True
        )
        assert "Traceback" not in done.stderr, done.stderr
        return done

    def ok(self, *args: str) -> str:
        done = self(*args)
        assert done.returncode == 0, done.stderr
        return done.stdout


@pytest.fixture
def cli(live: LiveServer) -> Cli:
    return Cli(live)


def test_raise_show_list_update_resolve_reopen(cli: Cli, fresh_dataset: str) -> None:
    urn = cli.ok("incident", "raise", fresh_dataset, "--type", "freshness", "--title", "late",
                 "--priority", "HIGH", "--dedup-key", "fresh")  # fmt: skip
    again = cli.ok("incident", "raise", fresh_dataset, "--type", "FRESHNESS", "--dedup-key",
                   "fresh", "--json")  # fmt: skip

    assert urn.startswith("urn:li:incident:") and urn.count("\n") == 1
    assert json.loads(again)["urn"] == urn.strip()
    assert [e["kind"] for e in json.loads(again)["activity"]] == ["RAISED", "RAISED_AGAIN"]
    urn = urn.strip()
    shown = cli.ok("incident", "show", urn)
    assert "dedup key:    fresh" in shown and "RAISED_AGAIN  raised 2 times" in shown
    listed = cli.ok("incident", "list", fresh_dataset)
    assert urn in listed and "ACTIVE" in listed and "HIGH" in listed

    cli.ok("incident", "update", urn, "--stage", "INVESTIGATION", "--message", "looking",
           "--priority", "critical", "--assignee", "urn:li:corpuser:ann")  # fmt: skip
    updated = json.loads(cli.ok("incident", "show", urn, "--json"))
    assert (updated["status"]["stage"], updated["status"]["message"], updated["priority"]) == (
        "INVESTIGATION",
        "looking",
        "CRITICAL",
    )
    assert updated["assignees"] == [{"urn": "urn:li:corpuser:ann"}]

    cli.ok("incident", "update", urn, "--type", "custom", "--custom-type", "Late file")
    assert "TYPE          FRESHNESS -> CUSTOM (Late file)" in cli.ok("incident", "show", urn)
    assert "customType is required" in cli("incident", "update", urn, "--type", "CUSTOM",
                                           "--custom-type", " ").stderr  # fmt: skip

    cli.ok("incident", "resolve", urn, "--message", "back on time")
    assert (
        json.loads(cli.ok("incident", "list", fresh_dataset, "--state", "ACTIVE", "--json"))[
            "total"
        ]
        == 0
    )
    cli.ok("incident", "reopen", urn, "--message", "late again")
    page = json.loads(cli.ok("incident", "list", fresh_dataset, "--json"))
    assert [
        (i["urn"], i["status"]["state"], i["status"]["message"]) for i in page["incidents"]
    ] == [(urn, "ACTIVE", "late again")]


def keys(value: Any) -> set[str]:
    """Every key of a JSON value, at any depth."""
    if isinstance(value, dict):
        return set(value).union(*(keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(keys(v) for v in value))
    return set()


def test_json_output_is_the_incident_as_the_api_answers_it(
    cli: Cli, live: LiveServer, fresh_dataset: str
) -> None:
    raised = json.loads(cli.ok("incident", "raise", fresh_dataset, "--type", "SQL", "--title",
                               "nulls", "--source", "ASSERTION_FAILURE", "--assignee",
                               "urn:li:corpGroup:eng", "--json"))  # fmt: skip
    urn = raised["urn"]
    cli.ok("incident", "update", urn, "--stage", "TRIAGE", "--message", "looking")
    shown = json.loads(cli.ok("incident", "show", urn, "--json"))
    listed = json.loads(cli.ok("incident", "list", fresh_dataset, "--json"))

    def api(query: str, variables: dict[str, Any]) -> Any:
        answer = httpx.post(
            f"{live.url}/api/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {TOKEN}"},
        ).json()
        return answer["data"]["entity"]

    assert shown == api(documents.GET, {"urn": urn})
    assert raised == {**shown, "status": raised["status"], "activity": raised["activity"]}
    assert [e["kind"] for e in shown["activity"]] == ["RAISED", "STAGE"]
    page = api(documents.LIST, {"urn": fresh_dataset, "start": 0, "count": 20})["incidents"]
    assert listed == page
    assert "activity" not in listed["incidents"][0]  # the timelines are `show`'s
    everything = keys(raised) | keys(shown) | keys(listed)
    assert {"incidentType", "lastUpdated", "previousValue", "newValue"} <= everything
    assert [k for k in everything if "_" in k] == []


@pytest.mark.parametrize(
    "urn",
    [
        "urn:li:corpuser:ann",
        "urn:li:dataset:oops",
        "urn:li:dataset:(snowflake,orders,PROD)",
        "urn:li:dataJob:(airflow,load)",
        "orders",
    ],
)
def test_list_refuses_a_urn_that_is_not_an_assets(cli: Cli, urn: str) -> None:
    done = cli("incident", "list", urn)

    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.startswith(f"Error: Invalid asset URN '{urn}': expected ")
    assert done.stderr.count("\n") == 1


def test_resolve_by_dedup_key_succeeds_with_or_without_an_incident(
    cli: Cli, fresh_dataset: str
) -> None:
    urn = cli.ok("incident", "raise", fresh_dataset, "--type", "SQL", "--dedup-key", "nulls")

    first = cli("incident", "resolve", fresh_dataset, "--dedup-key", "nulls", "--message", "ok")
    second = cli("incident", "resolve", fresh_dataset, "--dedup-key", "nulls")

    assert (first.returncode, first.stdout) == (0, urn)
    assert (second.returncode, second.stdout) == (0, "")
    assert second.stderr == f"No active incident with dedup key 'nulls' on {fresh_dataset}.\n"


def test_incident_errors_are_one_line_with_exit_status_1(cli: Cli, fresh_dataset: str) -> None:
    unknown = cli("incident", "show", "urn:li:incident:nope")
    bad_asset = cli("incident", "raise", "urn:li:corpuser:ann", "--type", "SQL")
    bad_token = cli("incident", "list", fresh_dataset, "--token", "dfp_wrong")

    assert (unknown.returncode, unknown.stderr) == (
        1,
        "Error: Incident urn:li:incident:nope does not exist.\n",
    )
    assert bad_asset.returncode == 1 and bad_asset.stderr.count("\n") == 1
    assert "urn:li:corpuser:ann" in bad_asset.stderr
    assert bad_token.stderr == ("Error: Invalid access token: it is unknown or has been revoked.\n")


def test_usage_mistakes_exit_2(cli: Cli, fresh_dataset: str) -> None:
    no_type = cli("incident", "raise", fresh_dataset)
    bad_type = cli("incident", "raise", fresh_dataset, "--type", "LATE")
    nothing = cli("incident", "update", "urn:li:incident:x")

    assert [no_type.returncode, bad_type.returncode, nothing.returncode] == [2, 2, 2]
    assert "Missing option '--type'" in no_type.stderr
    assert "Nothing to change" in nothing.stderr


def test_check_exits_0_when_clear_and_1_when_blocked(
    cli: Cli, live: LiveServer, fresh_dataset: str
) -> None:
    tag = uuid.uuid4().hex[:8]
    near, far = dataset("hive", f"near_{tag}"), dataset("hive", f"far_{tag}")
    live.ingest(upstreams(fresh_dataset, near), upstreams(near, far))
    incident = cli.ok("incident", "raise", far, "--type", "VOLUME", "--title", "half the rows",
                      "--priority", "MEDIUM").strip()  # fmt: skip

    clear = cli("check", fresh_dataset, "--upstream", "1")
    blocked = cli("check", fresh_dataset, near, "--upstream", "2")
    urgent_only = cli("check", fresh_dataset, "--upstream", "2", "--min-priority", "HIGH")
    ignored = cli("check", fresh_dataset, "--upstream", "2", "--ignore-type", "VOLUME")
    quiet = cli("check", fresh_dataset, "--upstream", "2", "-q")
    as_json = cli("check", fresh_dataset, "--upstream", "2", "--json")

    assert (clear.returncode, clear.stdout) == (0, f"clear  {fresh_dataset}\n")
    assert blocked.returncode == 1
    assert blocked.stdout.splitlines() == [
        f"BLOCKED  {fresh_dataset}",
        f"  {far} (2 hops upstream): {incident} [VOLUME, MEDIUM] half the rows",
        f"BLOCKED  {near}",
        f"  {far} (1 hop upstream): {incident} [VOLUME, MEDIUM] half the rows",
    ]
    assert (urgent_only.returncode, ignored.returncode) == (0, 0)
    assert (quiet.returncode, quiet.stdout) == (1, "")
    answer = json.loads(as_json.stdout)
    assert as_json.returncode == 1 and answer["blocked"] is True
    assert answer["assets"][0]["incidents"][0]["urn"] == incident
    assert answer["assets"][0]["incidents"][0]["degree"] == 2


def test_check_exits_2_on_errors_with_one_line(cli: Cli, fresh_dataset: str) -> None:
    down = f"http://127.0.0.1:{free_port()}"

    bad_urn = cli("check", "urn:li:dataset:oops")
    unreachable = cli("check", fresh_dataset, "--url", down)
    bad_token = cli("check", fresh_dataset, DATAFLARE_TOKEN="dfp_wrong")
    bad_priority = cli("check", fresh_dataset, "--min-priority", "URGENT")

    for done in (bad_urn, unreachable, bad_token, bad_priority):
        assert done.returncode == 2, done.stderr
        assert done.stdout == ""
    assert bad_urn.stderr.startswith("Error: Invalid asset URN 'urn:li:dataset:oops'")
    assert bad_urn.stderr.count("\n") == 1
    assert unreachable.stderr.startswith(f"Error: Cannot reach Dataflare at {down}: ")
    assert bad_token.stderr == "Error: Invalid access token: it is unknown or has been revoked.\n"


def test_every_command_explains_itself(cli: Cli) -> None:
    for command in ("raise", "update", "resolve", "reopen", "list", "show"):
        assert "--url" in cli.ok("incident", command, "--help")
    assert "Exit 0 when no active incident blocks" in cli.ok("check", "--help")
    assert "DATAFLARE_TOKEN" in cli.ok("incident", "--help")
