"""Slack's form of a notice: Block Kit blocks, with the plain text as the fallback."""

from __future__ import annotations

from typing import Any

from dataflare.notifications.message import (
    Notice,
    change_lines,
    description_start,
    doer,
    headline,
    shown,
    type_name,
)


def escape(text: str) -> str:
    """Slack's mrkdwn treats these three as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}


def blocks(notice: Notice, owners: list[str], downstream: list[str]) -> list[dict[str, Any]]:
    """The whole message: the incident as it now is, and who should look."""
    incident = notice.incident
    found: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": headline(notice)[:150]}},
        _section(f"*<{notice.link}|{escape(notice.title)}>*\n{escape(description_start(notice))}"),
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": f"*Type*\n{escape(type_name(incident))}"},
                {"type": "mrkdwn", "text": f"*Priority*\n{shown(incident['priority'])}"},
                {"type": "mrkdwn", "text": f"*Stage*\n{shown(incident['stage'])}"},
                {"type": "mrkdwn", "text": f"*State*\n{incident['state']}"},
            ],
        },
        _section(
            "*Assets*\n"
            + "\n".join(
                f"<{a.link}|{escape(a.name)}>" + (f" ({escape(a.platform)})" if a.platform else "")
                for a in notice.audience.assets
            )
        ),
    ]
    if notice.event.changes:
        found.append(_section("*Changes*\n" + change_text(notice)))
    people = []
    if owners:
        people.append("*Owners:* " + " ".join(owners))
    if downstream:
        people.append("*Downstream owners:* " + " ".join(downstream))
    if people:
        found.append(_section("\n".join(people)))
    found.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": escape(doer(notice))}]}
    )
    return found


def change_text(notice: Notice) -> str:
    lines = [f"• {escape(line)}" for line in change_lines(notice.event)]
    if notice.event.message:
        lines.append(f"> {escape(notice.event.message)}")
    return "\n".join(lines)


def thread_reply(notice: Notice) -> str:
    """The record of one change, posted in the incident's thread."""
    return f"{escape(doer(notice))}\n{change_text(notice)}"
