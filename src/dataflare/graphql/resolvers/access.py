"""Access resolvers: tokens and users, one service call each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ariadne import MutationType, ObjectType, QueryType

from dataflare.access import tokens, users
from dataflare.access.models import AccessToken, User
from dataflare.access.roles import (
    EDIT_ENTITY_INCIDENTS,
    MANAGE_ACCESS_TOKENS,
    MANAGE_USERS,
    READER,
)
from dataflare.core.errors import InvalidInput
from dataflare.core.urns import ActorRef, user_urn
from dataflare.graphql.context import Info
from dataflare.graphql.limits import in_a_list, page_size
from dataflare.graphql.resolvers.mutations import atomic

query = QueryType()
mutation = MutationType()
token_metadata = ObjectType("AccessTokenMetadata")
access_token = ObjectType("AccessToken")
corp_user = ObjectType("CorpUser")


@mutation.field("createAccessToken")
@atomic
def resolve_create_access_token(_: Any, info: Info, input: dict[str, Any]) -> dict[str, Any]:
    token, secret = tokens.create_access_token(
        info.context.session,
        info.context.user,
        input["actorUrn"],
        input["name"],
        input["duration"],
        input.get("description"),
    )
    return {"accessToken": secret, "metadata": token}


@mutation.field("revokeAccessToken")
@atomic
def resolve_revoke_access_token(_: Any, info: Info, tokenId: str) -> bool:
    tokens.revoke_access_token(info.context.session, info.context.user, tokenId)
    return True


def _page_size(info: Info, input: dict[str, Any], page_type: str) -> int:
    requested = 20 if input.get("count") is None else input["count"]
    return page_size(requested, page_type, in_a_list(info.path))


@query.field("listAccessTokens")
def resolve_list_access_tokens(_: Any, info: Info, input: dict[str, Any]) -> tokens.TokenPage:
    return tokens.list_access_tokens(
        info.context.session,
        info.context.user,
        input.get("start") or 0,
        _page_size(info, input, "ListAccessTokenResult"),
        _filters(input.get("filters") or []),
    )


def _filters(given: Sequence[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """FacetFilterInput as (field, values); only plain equality makes sense for tokens."""
    filters = []
    for item in given:
        if item.get("negated") or item.get("condition") not in (None, "EQUAL", "IN"):
            raise InvalidInput("Access token filters support only EQUAL or IN, not negated.")
        values = item.get("values") or ([item["value"]] if item.get("value") else [])
        filters.append((item["field"], list(values)))
    return filters


@token_metadata.field("id")
def resolve_token_id(token: AccessToken, *_: Any) -> str:
    return token.token_id


@token_metadata.field("urn")
def resolve_token_urn(token: AccessToken, *_: Any) -> str:
    return tokens.token_urn(token)


@token_metadata.field("type")
def resolve_token_type(*_: Any) -> str:
    return "ACCESS_TOKEN"


@token_metadata.field("actorUrn")
def resolve_actor_urn(token: AccessToken, *_: Any) -> str:
    return user_urn(token.user_name)


@token_metadata.field("ownerUrn")
def resolve_owner_urn(token: AccessToken, *_: Any) -> str:
    return user_urn(token.owner_name or token.user_name)


token_metadata.set_alias("createdAt", "created_at")
token_metadata.set_alias("expiresAt", "expires_at")
token_metadata.set_alias("lastUsedAt", "last_used_at")


@query.field("me")
def resolve_me(_: Any, info: Info) -> dict[str, Any]:
    caller = info.context.user
    return {
        "corpUser": ActorRef(caller.urn),
        "platformPrivileges": {
            "generatePersonalAccessTokens": True,
            "manageTokens": caller.has(MANAGE_ACCESS_TOKENS),
            "manageIdentities": caller.has(MANAGE_USERS),
            "editEntityIncidents": caller.has(EDIT_ENTITY_INCIDENTS),
        },
    }


@query.field("listUsers")
def resolve_list_users(_: Any, info: Info, input: dict[str, Any]) -> users.UserPage:
    return users.list_users(
        info.context.session,
        info.context.user,
        input.get("start") or 0,
        _page_size(info, input, "ListUsersResult"),
        input.get("query"),
    )


@mutation.field("createUser")
@atomic
def resolve_create_user(_: Any, info: Info, input: dict[str, Any]) -> User:
    return users.create_user(
        info.context.session,
        info.context.user,
        input["username"],
        input.get("role") or READER,
        input.get("password"),
    )


@mutation.field("batchAssignRole")
@atomic
def resolve_batch_assign_role(_: Any, info: Info, input: dict[str, Any]) -> bool:
    users.assign_role(
        info.context.session, info.context.user, input["actors"], input.get("roleUrn") or READER
    )
    return True


@mutation.field("updateCorpUserStatus")
@atomic
def resolve_update_status(_: Any, info: Info, urn: str, status: str) -> str:
    user = users.set_active(info.context.session, info.context.user, urn, status == "ACTIVE")
    return user.urn


def _local_user(obj: User | ActorRef, info: Info) -> User | None:
    if isinstance(obj, User):
        return obj
    return None if obj.is_group else info.context.loader.users.get(obj.name)


@corp_user.field("status")
def resolve_user_status(obj: User | ActorRef, info: Info) -> str | None:
    user = _local_user(obj, info)
    return None if user is None else ("ACTIVE" if user.active else "SUSPENDED")


@corp_user.field("role")
def resolve_user_role(obj: User | ActorRef, info: Info) -> str | None:
    user = _local_user(obj, info)
    return None if user is None else user.role
