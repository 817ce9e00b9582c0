"""The demo company's people and teams: who owns the assets, and who raises and fixes incidents."""

from __future__ import annotations

from typing import Any

from dataflare.ingest.demo.proposals import group, user
from dataflare.ingest.demo.sample import ANALYTICS_TEAM, ASMITH, JDOE, PLATFORM_TEAM


def person(login: str) -> str:
    return f"urn:li:corpuser:{login}"


def team(name: str) -> str:
    return f"urn:li:corpGroup:{name}"


# login: (name, title, Slack member id); jdoe and asmith come from the first demo (sample.py)
PEOPLE = {
    "mgarcia": ("Maria Garcia", "Senior data engineer", "U03MG7K2P"),
    "tnguyen": ("Thanh Nguyen", "Data engineer", "U03TN4R8Q"),
    "lchen": ("Li Chen", "Staff data engineer", "U02LC9X1A"),
    "dlopez": ("Diego Lopez", "Data engineer", "U04DL2M6F"),
    "pkowalski": ("Piotr Kowalski", "Analytics engineer", "U03PK5T3Z"),
    "sokafor": ("Sade Okafor", "Analytics engineer", "U04SO8B1C"),
    "rpatel": ("Riya Patel", "Finance analyst", "U02RP3N7D"),
    "bmueller": ("Ben Mueller", "Marketing analyst", "U05BM6H2E"),
    "ekim": ("Eun-ji Kim", "Product analyst", "U05EK1J9G"),
    "hjohansson": ("Hanna Johansson", "Support operations analyst", "U04HJ7C4H"),
    "kmensah": ("Kwame Mensah", "Site reliability engineer", "U02KM2V5J"),
    "fdubois": ("Fleur Dubois", "Head of data", "U01FD3Q8K"),
}
# The account the schedulers and data checks raise incidents with.
BOT = person("svc-airflow")

TEAMS = {
    "payments-eng": "Payments Engineering",
    "growth": "Growth Analytics",
    "finance-data": "Finance Data",
    "supply-chain": "Supply Chain Data",
    "customer-experience": "Customer Experience",
}

PLATFORM, ANALYTICS = PLATFORM_TEAM, ANALYTICS_TEAM
ENGINEERS = [JDOE, *(person(p) for p in ("mgarcia", "tnguyen", "lchen", "dlopez", "kmensah"))]
ANALYSTS = [ASMITH, *(person(p) for p in ("pkowalski", "sokafor", "rpatel", "bmueller", "ekim"))]


def proposals() -> list[dict[str, Any]]:
    found = []
    for login, (name, title, slack) in PEOPLE.items():
        found.extend(user(person(login), name, title, slack))
    found.extend(user(BOT, "Airflow (service account)", "Scheduler and data checks", "U01AF0BOT"))
    found.extend(group(team(key), name) for key, name in TEAMS.items())
    return found
