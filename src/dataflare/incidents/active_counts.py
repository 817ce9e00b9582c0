"""Active incidents counted by priority and platform (of each incident's first asset), for
the metrics. One grouped statement: the state index finds the active incidents, so the cost
grows with how many are active, not with how many were ever raised."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dataflare.catalog.models import ASSETS
from dataflare.core.vocabulary import NUMBER_TO_PRIORITY
from dataflare.incidents.models import INCIDENT_ASSETS, INCIDENTS

NO_PRIORITY = "NONE"
OTHER_PLATFORMS = "other"
ACTIVE = "ACTIVE"
MAX_PLATFORMS = 50  # the platforms with the most active incidents; the rest are "other"

_GROUPED = (
    select(INCIDENTS.c.priority, ASSETS.c.platform, func.count())
    .select_from(INCIDENTS)
    .join(
        INCIDENT_ASSETS,
        (INCIDENT_ASSETS.c.incident_id == INCIDENTS.c.id) & (INCIDENT_ASSETS.c.position == 0),
    )
    .join(ASSETS, ASSETS.c.id == INCIDENT_ASSETS.c.asset_id)
    .where(INCIDENTS.c.state == ACTIVE)
    .group_by(INCIDENTS.c.priority, ASSETS.c.platform)
)


def active_by_priority_and_platform(session: Session) -> dict[tuple[str, str], int]:
    """{(priority, platform): active incidents}; at most MAX_PLATFORMS platforms named."""
    rows = [
        (NUMBER_TO_PRIORITY.get(p, NO_PRIORITY), platform or "", n)
        for p, platform, n in session.execute(_GROUPED)
    ]
    per_platform: Counter[str] = Counter()
    for _, platform, count in rows:
        per_platform[platform] += count
    named = {platform for platform, _ in per_platform.most_common(MAX_PLATFORMS)}
    counts: Counter[tuple[str, str]] = Counter()
    for priority, platform, count in rows:
        counts[priority, platform if platform in named else OTHER_PLATFORMS] += count
    return dict(counts)
