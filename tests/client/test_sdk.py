"""The Python SDK against a real server: every call, and the errors it raises."""

from __future__ import annotations

import pytest

from dataflare.client import (
    AuthenticationFailed,
    DataflareClient,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    ServerUnreachable,
)
from tests.client.conftest import TOKEN, LiveServer
from tests.e2e.server import free_port

CHART = "urn:li:chart:(looker,sdk_tests)"


def test_raise_then_get_returns_every_field(sdk: DataflareClient, fresh_dataset: str) -> None:
    urn = sdk.raise_incident(
        [fresh_dataset, CHART],
        "CUSTOM",
        custom_type="Late partner feed",
        title="Partner feed late",
        description="No file since Monday.",
        priority="HIGH",
        source_type="ASSERTION_FAILURE",
        stage="TRIAGE",
        message="looking",
        assignee_urns=["urn:li:corpuser:jdoe", "urn:li:corpGroup:data-eng"],
        started_at=1_700_000_000_000,
    )

    incident = sdk.get(urn)
    assert incident.urn == urn
    assert (incident.incident_type, incident.custom_type) == ("CUSTOM", "Late partner feed")
    assert (incident.title, incident.description) == ("Partner feed late", "No file since Monday.")
    assert (incident.state, incident.stage, incident.message) == ("ACTIVE", "TRIAGE", "looking")
    assert (incident.priority, incident.source_type) == ("HIGH", "ASSERTION_FAILURE")
    assert incident.assets == [fresh_dataset, CHART]
    assert incident.assignees == ["urn:li:corpuser:jdoe", "urn:li:corpGroup:data-eng"]
    assert incident.started_at == 1_700_000_000_000
    assert incident.created_by == "urn:li:corpuser:datahub"
    assert [e.kind for e in incident.activity] == ["RAISED"]


def test_a_chosen_id_names_the_incident(sdk: DataflareClient, fresh_dataset: str) -> None:
    chosen = fresh_dataset.split(",")[1]

    urn = sdk.raise_incident(fresh_dataset, "SQL", incident_id=chosen)

    assert urn == f"urn:li:incident:{chosen}"


def test_resolve_reopen_and_update_status(sdk: DataflareClient, fresh_dataset: str) -> None:
    urn = sdk.raise_incident(fresh_dataset, "VOLUME")

    sdk.resolve(urn, "row count back to normal", stage="FIXED")
    resolved = sdk.get(urn)
    sdk.reopen(urn, "dropped again")
    reopened = sdk.get(urn)
    sdk.update_status(urn, "ACTIVE", stage="INVESTIGATION")

    assert (resolved.state, resolved.stage, resolved.message) == (
        "RESOLVED",
        "FIXED",
        "row count back to normal",
    )
    assert (reopened.state, reopened.message) == ("ACTIVE", "dropped again")
    assert sdk.get(urn).stage == "INVESTIGATION"
    assert [e.kind for e in sdk.get(urn).activity] == ["RAISED", "STATE", "STAGE", "STATE", "STAGE"]


def test_update_changes_only_the_fields_given(sdk: DataflareClient, fresh_dataset: str) -> None:
    urn = sdk.raise_incident(fresh_dataset, "SQL", title="old", priority="LOW")

    sdk.update(urn, title="new", assigneeUrns=["urn:li:corpuser:ann"])

    incident = sdk.get(urn)
    assert (incident.title, incident.priority, incident.assignees) == (
        "new",
        "LOW",
        ["urn:li:corpuser:ann"],
    )


def test_list_incidents_filters_by_state_and_pages(
    sdk: DataflareClient, fresh_dataset: str
) -> None:
    urns = [sdk.raise_incident(fresh_dataset, "SQL", title=f"n{i}") for i in range(3)]
    sdk.resolve(urns[0])

    active = sdk.list_incidents(fresh_dataset, state="ACTIVE")
    resolved = sdk.list_incidents(fresh_dataset, "RESOLVED")
    second_page = sdk.list_incidents(fresh_dataset, start=1, count=1)

    assert [i.urn for i in active.incidents] == [urns[2], urns[1]]
    assert active.total == 2
    assert [i.urn for i in resolved.incidents] == [urns[0]]
    assert (second_page.start, second_page.count, second_page.total) == (1, 1, 3)
    assert [i.urn for i in second_page.incidents] == [urns[1]]


def test_health_follows_the_active_incidents(sdk: DataflareClient, fresh_dataset: str) -> None:
    before = sdk.health(fresh_dataset)
    urn = sdk.raise_incident(fresh_dataset, "FRESHNESS", title="late")
    during = sdk.health(fresh_dataset)
    sdk.resolve(urn)

    assert before.healthy and before.active_incidents == 0
    assert (during.status, during.message, during.active_incidents) == (
        "FAIL",
        "1 active incident",
        1,
    )
    assert (during.latest_incident_urn, during.latest_incident_title) == (urn, "late")
    assert sdk.health(fresh_dataset).healthy


def test_search_finds_assets_by_name_and_active_incidents(
    sdk: DataflareClient, fresh_dataset: str
) -> None:
    name = fresh_dataset.split(",")[1]
    sdk.raise_incident(fresh_dataset, "SQL")

    found = sdk.search(name)
    broken = sdk.search(name, has_active_incidents=True, types=["DATASET"])
    healthy = sdk.search(name, has_active_incidents=False)
    on_hive = sdk.search(name, filters={"platform": ["hive"]})

    assert [a.urn for a in found.assets] == [fresh_dataset]
    asset = found.assets[0]
    assert (asset.type, asset.name, asset.platform, asset.health.status) == (
        "DATASET",
        name,
        "hive",
        "FAIL",
    )
    assert broken.total == 1 and healthy.total == 0 and on_hive.total == 1


def test_resolve_by_dedup_key_closes_what_the_key_opened(
    sdk: DataflareClient, fresh_dataset: str
) -> None:
    first = sdk.raise_incident(fresh_dataset, "FIELD", dedup_key="nulls-in-id")
    again = sdk.raise_incident(fresh_dataset, "FIELD", dedup_key="nulls-in-id")

    resolved = sdk.resolve_by_dedup_key(fresh_dataset, "nulls-in-id", "no nulls any more")
    nothing_left = sdk.resolve_by_dedup_key(fresh_dataset, "nulls-in-id")
    reopened_as_new = sdk.raise_incident(fresh_dataset, "FIELD", dedup_key="nulls-in-id")

    assert first == again == resolved
    assert nothing_left is None
    assert reopened_as_new != first
    assert sdk.get(first).state == "RESOLVED"
    assert sdk.get(first).dedup_key == "nulls-in-id"
    assert [e.kind for e in sdk.get(first).activity] == ["RAISED", "RAISED_AGAIN", "STATE"]


def test_errors_carry_the_server_message_and_code(sdk: DataflareClient, fresh_dataset: str) -> None:
    with pytest.raises(NotFound) as missing:
        sdk.resolve("urn:li:incident:does-not-exist")
    with pytest.raises(InvalidRequest) as bad_urn:
        sdk.raise_incident("urn:li:corpuser:jdoe", "SQL")
    with pytest.raises(InvalidRequest) as bad_type:
        sdk.raise_incident(fresh_dataset, "NOT_A_TYPE")
    with pytest.raises(NotFound) as no_incident:
        sdk.get("urn:li:incident:does-not-exist")

    assert missing.value.message == "Failed to update incident. Incident does not exist."
    assert (missing.value.code, missing.value.type) == (404, "NOT_FOUND")
    assert "urn:li:corpuser:jdoe" in bad_urn.value.message and bad_urn.value.code == 400
    assert "NOT_A_TYPE" in bad_type.value.message
    assert no_incident.value.message == "Incident urn:li:incident:does-not-exist does not exist."


def test_a_bad_token_and_a_reader_are_refused(live: LiveServer, fresh_dataset: str) -> None:
    reader_token = live.token_of(f"reader_{live.backend}", "Reader")

    with (
        DataflareClient(live.url, "dfp_not-a-token") as stranger,
        pytest.raises(AuthenticationFailed) as refused,
    ):
        stranger.list_incidents(fresh_dataset)
    with DataflareClient(live.url, reader_token) as reader:
        assert reader.list_incidents(fresh_dataset).total == 0
        with pytest.raises(PermissionDenied) as denied:
            reader.raise_incident(fresh_dataset, "SQL")

    assert refused.value.code == 401
    assert refused.value.message == "Invalid access token: it is unknown or has been revoked."
    assert denied.value.code == 403
    assert denied.value.message.startswith("Unauthorized to perform this action.")


def test_an_unreachable_server_is_named(fresh_dataset: str) -> None:
    url = f"http://127.0.0.1:{free_port()}"

    with DataflareClient(url, TOKEN, retries=0) as client, pytest.raises(ServerUnreachable) as down:
        client.health(fresh_dataset)

    assert down.value.message.startswith(f"Cannot reach Dataflare at {url}: ")


def test_settings_come_from_our_variables_then_datahubs(
    live: LiveServer, fresh_dataset: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATAFLARE_URL", raising=False)
    monkeypatch.delenv("DATAFLARE_TOKEN", raising=False)
    monkeypatch.setenv("DATAHUB_GMS_URL", live.url + "/")
    monkeypatch.setenv("DATAHUB_GMS_TOKEN", TOKEN)
    with DataflareClient() as from_datahub:
        assert from_datahub.config.url == live.url
        assert from_datahub.health(fresh_dataset).healthy

    monkeypatch.setenv("DATAFLARE_URL", live.url)
    monkeypatch.setenv("DATAFLARE_TOKEN", "dfp_ours-wins")
    with DataflareClient() as ours, pytest.raises(AuthenticationFailed):
        ours.health(fresh_dataset)
    with DataflareClient(token=TOKEN) as argument_wins:
        assert argument_wins.health(fresh_dataset).healthy
