"""What goes wrong with the demo's assets, in words: titles, descriptions and the messages people
leave when they resolve or reopen an incident, per incident type. `{name}` is the asset's name."""

from __future__ import annotations

# Per kind of asset, the incident types it gets (each with a weight).
TYPES_BY_KIND = {
    "source": (("FRESHNESS", 4), ("VOLUME", 3), ("DATA_SCHEMA", 3), ("FIELD", 2)),
    "raw": (("FRESHNESS", 4), ("VOLUME", 2), ("OPERATIONAL", 1)),
    "staging": (("FIELD", 3), ("SQL", 3), ("DATA_SCHEMA", 2), ("FRESHNESS", 2)),
    "mart": (("FRESHNESS", 4), ("SQL", 3), ("VOLUME", 2), ("FIELD", 2)),
    "flow": (("OPERATIONAL", 1),),
    "job": (("OPERATIONAL", 1),),
    "chart": (("CUSTOM", 3), ("OPERATIONAL", 1)),
    "dashboard": (("CUSTOM", 3), ("OPERATIONAL", 1)),
}

# The incident types a data check raises (source ASSERTION_FAILURE, with a dedup key).
CHECKED = ("FRESHNESS", "VOLUME", "FIELD", "SQL")

TITLES = {
    "FRESHNESS": (
        "{name} is {hours} hours late",
        "No new data in {name} since last night",
        "{name} missed its SLA",
    ),
    "VOLUME": (
        "Row count of {name} dropped {pct}%",
        "{name} received twice the usual volume",
        "{name} is empty for today's partition",
    ),
    "FIELD": (
        "Nulls in {name}.{column}",
        "Duplicate keys in {name}",
        "{name}.{column} out of its accepted range",
    ),
    "SQL": (
        "Custom check failed on {name}",
        "{name}: totals do not match the source",
        "Orphan rows in {name}",
    ),
    "DATA_SCHEMA": (
        "Column {column} removed from {name}",
        "Type of {name}.{column} changed",
        "New required field in {name}",
    ),
    "OPERATIONAL": (
        "{name} failed",
        "{name} timed out after 2 hours",
        "{name} stuck in the queue",
    ),
}
CUSTOM = (
    ("Wrong numbers", "{name} shows numbers that do not match finance"),
    ("Wrong numbers", "{name} counts test orders"),
    ("Broken visualization", "{name} does not load"),
    ("Broken visualization", "{name} shows an empty chart for yesterday"),
    ("Stale dashboard", "{name} has not refreshed since Monday"),
)
DESCRIPTIONS = {
    "FRESHNESS": "The check expected new data by {hour}:00 UTC; the latest partition is older.",
    "VOLUME": "Today's row count is outside the range of the last 30 days.",
    "FIELD": "The column check failed on {rows} rows of the latest load.",
    "SQL": "The reconciliation query returned {rows} rows where it expects none.",
    "DATA_SCHEMA": "The producer deployed a new schema version without notice.",
    "OPERATIONAL": "The task exited with an error; see the Airflow log of the run.",
    "CUSTOM": "Reported by a business user in #data-help.",
}
COLUMNS = ("customer_id", "order_id", "amount_eur", "created_at", "country_code", "sku", "status")

ACKNOWLEDGED = (
    "Looking into it.",
    "On it; checking the upstream load first.",
    "Taking this one.",
    None,
)
FIXED = (
    "Backfilled from the source; the check passes again.",
    "Upstream job re-run after a warehouse timeout.",
    "Fixed the model and re-ran it; numbers match again.",
    "The producer rolled back; data is flowing.",
    "Credentials rotated; the load succeeded.",
    "Late delivery from the vendor; it landed and downstream runs caught up.",
    "Query fixed and deployed.",
)
NO_ACTION = (
    "Expected: a public holiday in most markets.",
    "False alarm: the threshold was too tight; adjusted.",
    "Duplicate of an incident upstream.",
)
REOPENED = (
    "Happened again on the next run.",
    "Not fixed: the numbers are off again this morning.",
    "The backfill missed a day; reopening.",
)
