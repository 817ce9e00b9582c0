"""batchUpdateSoftDeleted: removing (or restoring) assets and incidents, as DataHub's clients
ask, through the same services as a `status` aspect sent as metadata."""

from __future__ import annotations

from typing import Any

from dataflare.access.roles import INGEST_METADATA
from dataflare.access.service import require_edit_incidents, require_privilege
from dataflare.catalog import service as catalog
from dataflare.core.errors import InvalidInput
from dataflare.core.limits import MAX_LIST_COUNT
from dataflare.core.urns import ASSET_KINDS, check_urn, entity_type_of
from dataflare.graphql.context import Info
from dataflare.graphql.resolvers.mutations import atomic, mutation
from dataflare.incidents import removal


@mutation.field("batchUpdateSoftDeleted")
@atomic
def resolve_batch_update_soft_deleted(_: Any, info: Info, input: dict[str, Any]) -> bool:
    urns = list(dict.fromkeys(input["urns"]))
    if not urns or len(urns) > MAX_LIST_COUNT:
        raise InvalidInput(f"input.urns: from 1 to {MAX_LIST_COUNT} URNs are required.")
    for i, urn in enumerate(urns):
        check_urn(urn)
        if entity_type_of(urn) not in (*ASSET_KINDS, "incident"):
            raise InvalidInput(
                f"input.urns[{i}]: '{urn}' is not an asset or an incident: "
                "batchUpdateSoftDeleted removes datasets, charts, dashboards, dataFlows, "
                "dataJobs and incidents."
            )
    for urn in urns:  # an error leaves nothing written: the mutation is atomic
        _set_removed(info, urn, input["deleted"])
    return True


def _set_removed(info: Info, urn: str, removed: bool) -> None:
    session, user = info.context.session, info.context.user
    if entity_type_of(urn) == "incident":
        assets = removal.asset_urns(session, urn)
        if assets is None:
            raise InvalidInput(f"'{urn}' does not exist: there is no such incident.")
        require_edit_incidents(session, user, assets)
        removal.set_removed(session, info.context.actor, urn, removed)
        return
    require_privilege(user, INGEST_METADATA)
    if catalog.get_asset(session, urn) is None:
        raise InvalidInput(f"'{urn}' does not exist: no metadata names this asset.")
    catalog.set_removed(session, urn, removed)
