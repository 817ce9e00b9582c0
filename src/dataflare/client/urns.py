"""A light check of asset URNs before asking the server (whose reads accept anything)."""

from __future__ import annotations

from dataflare.client.errors import ClientError

ASSET_KINDS = ("dataset", "chart", "dashboard", "dataFlow", "dataJob")
EXAMPLE = "urn:li:dataset:(urn:li:dataPlatform:hive,db.table,PROD)"


class InvalidUrn(ClientError, ValueError):
    """Not the URN of a dataset, chart, dashboard, dataFlow or dataJob."""


def check_asset_urn(urn: str) -> str:
    kind, _, key = urn.removeprefix("urn:li:").partition(":")
    if not urn.startswith("urn:li:") or kind not in ASSET_KINDS or not _is_tuple(key):
        raise InvalidUrn(
            f"Invalid asset URN '{urn}': expected urn:li:<kind>:(...) with kind one of "
            f"{', '.join(ASSET_KINDS)}, e.g. {EXAMPLE}."
        )
    return urn


def _is_tuple(key: str) -> bool:
    return len(key) > 2 and key[0] == "(" and key[-1] == ")" and key.count("(") == key.count(")")
