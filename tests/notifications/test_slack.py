"""Slack: the message, the mentions, update in place, routing; against a local Slack Web API."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from sqlalchemy import func, select
from sqlalchemy import update as sql_update

from dataflare.db.database import Database
from dataflare.notifications.models import NotificationDelivery, SlackMessage
from dataflare.notifications.worker import Worker
from tests.notifications.conftest import (
    DASHBOARD,
    KAFKA,
    ORDERS,
    load_catalog,
    make_config,
    raise_incident,
    run_worker,
    set_state,
    update,
)
from tests.notifications.receivers import Answer, Receiver

POST = "/api/chat.postMessage"
UPDATE = "/api/chat.update"
PUBLIC = "https://dataflare.example.com"


def bot_config(receiver: Receiver, **slack: Any) -> Any:
    values = {
        "bot_token": "xoxb-test",
        "channel": "#data-incidents",
        "api_url": f"{receiver.url}/api/",
        "user_groups": {"finance": "SFIN1"},
        **slack,
    }
    return make_config({"slack": values})


def deliveries_done(db: Database) -> int:
    with db.session() as session:
        query = select(func.count()).where(NotificationDelivery.status == "DONE")
        return session.scalar(query) or 0


def everything(body: dict[str, Any]) -> str:
    """All the text of a message: its fallback and its blocks."""
    return str(body.get("text", "")) + json.dumps(body.get("blocks", []), ensure_ascii=False)


def people_line(body: dict[str, Any], label: str) -> str:
    for block in body["blocks"]:
        for line in block.get("text", {}).get("text", "").split("\n"):
            if str(line).startswith(f"*{label}:*"):
                return str(line).removeprefix(f"*{label}:* ")
    return ""


def test_a_raised_incident_is_posted_with_its_details_and_owners_tagged(
    db: Database, receiver: Receiver
) -> None:
    load_catalog(db)
    receiver.emails["bob@example.com"] = "UBOB1"
    urn = raise_incident(db, priority="HIGH", stage="TRIAGE")

    run_worker(Worker(db, bot_config(receiver)), lambda: bool(receiver.to(POST)))

    [post] = receiver.to(POST)
    assert post.headers["Authorization"] == "Bearer xoxb-test"
    body = post.body
    assert body["channel"] == "#data-incidents"
    assert body["text"].startswith("Incident raised: Orders are late\n")
    assert body["blocks"][0]["text"]["text"] == "Incident raised: Orders are late"
    text = everything(body)
    for expected in (
        "*Type*\\nOPERATIONAL",
        "*Priority*\\nHIGH",
        "*Stage*\\nTRIAGE",
        "*State*\\nACTIVE",
        f"<{PUBLIC}/asset/{quote(ORDERS, safe='')}|orders> (snowflake)",
        f"<{PUBLIC}/incident/{quote(urn, safe='')}|Orders are late>",
        "The nightly load did not finish.",
        "Raised by Jane Doe",
    ):
        assert expected in text
    # Alice by her Slack id, Bob found by his e-mail, the finance group by its Slack group.
    assert people_line(body, "Owners") == "<@UALICE1> <@UBOB1> <!subteam^SFIN1>"
    # Three hops down, nearest first; Alice (an owner already) and Dave (twice) tagged once.
    assert people_line(body, "Downstream owners") == "<@UCAROL1> <@UDAVE1> <@UERIN1>"
    assert [r.body["email"] for r in receiver.to("/api/users.lookupByEmail")] == ["bob@example.com"]


def test_the_lineage_depth_decides_whose_downstream_assets_count(
    db: Database, receiver: Receiver
) -> None:
    load_catalog(db)
    raise_incident(db)
    config = make_config(
        {
            "downstream_depth": 1,
            "slack": {"bot_token": "xoxb-test", "channel": "#c", "api_url": f"{receiver.url}/api/"},
        }
    )

    run_worker(Worker(db, config), lambda: bool(receiver.to(POST)))

    body = receiver.to(POST)[0].body
    assert people_line(body, "Downstream owners") == "<@UCAROL1>"
    # Bob has no Slack id and no Slack account by his e-mail: named, not tagged.
    assert people_line(body, "Owners") == "<@UALICE1> Bob Finance"


def test_later_changes_update_the_message_in_place_and_reply_in_its_thread(
    db: Database, receiver: Receiver
) -> None:
    load_catalog(db)
    urn = raise_incident(db, priority="LOW")
    worker = Worker(db, bot_config(receiver))
    run_worker(worker, lambda: bool(receiver.to(POST)))

    set_state(db, urn, "RESOLVED", message="Backfilled.")
    update(db, urn, priority="CRITICAL")
    run_worker(worker, lambda: len(receiver.to(UPDATE)) == 2 and len(receiver.to(POST)) == 3)

    with db.session() as session:
        [kept] = session.scalars(select(SlackMessage)).all()
    top_level = [r.body for r in receiver.to(POST) if "thread_ts" not in r.body]
    replies = [r.body for r in receiver.to(POST) if "thread_ts" in r.body]
    assert len(top_level) == 1
    assert kept.posted_channel == "C-data-incidents"
    first, second = (r.body for r in receiver.to(UPDATE))
    assert (first["channel"], first["ts"]) == (kept.posted_channel, kept.ts)
    assert first["blocks"][0]["text"]["text"] == "Incident resolved: Orders are late"
    assert "*State*\\nRESOLVED" in everything(first)
    assert "*Priority*\\nCRITICAL" in everything(second)
    assert [r["thread_ts"] for r in replies] == [kept.ts, kept.ts]
    assert replies[0]["text"] == "Changed by Jane Doe\n• State: ACTIVE → RESOLVED\n> Backfilled."
    assert replies[1]["text"] == "Changed by Jane Doe\n• Priority: LOW → CRITICAL"


def test_incoming_webhook_mode_posts_a_message_for_each_event(
    db: Database, receiver: Receiver
) -> None:
    load_catalog(db)
    config = make_config({"slack": {"webhook_url": f"{receiver.url}/services/T1/B1/x"}})
    urn = raise_incident(db)
    set_state(db, urn, "RESOLVED")

    run_worker(Worker(db, config), lambda: len(receiver.to("/services/T1/B1/x")) == 2)

    raised, resolved = (r.body for r in receiver.to("/services/T1/B1/x"))
    assert raised["blocks"][0]["text"]["text"] == "Incident raised: Orders are late"
    assert resolved["blocks"][0]["text"]["text"] == "Incident resolved: Orders are late"
    assert "State: ACTIVE → RESOLVED" in resolved["text"]
    # No e-mail look-ups without a bot token: Bob is named, not tagged.
    assert people_line(raised, "Owners") == "<@UALICE1> Bob Finance"
    assert not receiver.to("/api/users.lookupByEmail")


def test_routes_choose_channels_by_priority_platform_and_owner_group(
    db: Database, receiver: Receiver
) -> None:
    load_catalog(db)
    routes = [
        {"priority": ["CRITICAL"], "channel": "#critical"},
        {"platform": ["kafka"], "channel": "#streaming"},
        {"owner_group": ["finance"], "channel": "#finance"},
        {"priority": ["LOW"], "platform": ["snowflake"], "channel": "#quiet-snowflake"},
    ]
    config = bot_config(receiver, routes=routes)
    raise_incident(db, ORDERS, title="critical orders", priority="CRITICAL")
    raise_incident(db, KAFKA, title="kafka clicks", priority="LOW")
    raise_incident(db, DASHBOARD, title="dashboard", priority="MEDIUM")

    run_worker(Worker(db, config), lambda: len(receiver.to(POST)) == 4)

    channels: dict[str, set[str]] = {}
    for request in receiver.to(POST):
        title = request.body["text"].split("\n")[0].removeprefix("Incident raised: ")
        channels.setdefault(title, set()).add(request.body["channel"])
    assert channels == {
        "critical orders": {"#critical", "#finance"},
        "kafka clicks": {"#streaming"},
        "dashboard": {"#data-incidents"},  # no route matched: the default channel
    }


def test_a_raise_sent_again_after_a_crash_updates_its_message_rather_than_post_twice(
    db: Database, receiver: Receiver
) -> None:
    load_catalog(db)
    raise_incident(db)
    worker = Worker(db, bot_config(receiver))
    run_worker(worker, lambda: bool(receiver.to(POST)))
    run_worker(worker, lambda: deliveries_done(db) == 1)
    # As a worker killed after posting, before recording the delivery, leaves it:
    with db.session(write=True) as session:
        session.execute(sql_update(NotificationDelivery).values(status="PENDING"))

    run_worker(worker, lambda: bool(receiver.to(UPDATE)))

    assert len(receiver.to(POST)) == 1
    assert receiver.to(UPDATE)[0].body["ts"] == receiver.to(POST)[0].answer["ts"]


def test_owners_are_named_when_slack_refuses_e_mail_look_ups(
    db: Database, receiver: Receiver
) -> None:
    load_catalog(db)
    receiver.fail_next(
        "/api/users.lookupByEmail", Answer(200, {"ok": False, "error": "missing_scope"})
    )
    raise_incident(db)

    run_worker(Worker(db, bot_config(receiver)), lambda: bool(receiver.to(POST)))

    assert people_line(receiver.to(POST)[0].body, "Owners") == "<@UALICE1> Bob <!subteam^SFIN1>"
