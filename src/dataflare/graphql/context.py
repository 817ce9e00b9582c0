"""What every resolver gets as `info.context`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from graphql import GraphQLResolveInfo
from sqlalchemy.orm import Session

from dataflare.access.roles import Caller
from dataflare.graphql.loaders import Loader


@dataclass
class RequestContext:
    session: Session
    actor: str  # urn of the user whose token made the request
    request_id: str
    user: Caller  # who made the request, with their role
    # More than one mutation in the document: each runs in a savepoint, so one that fails
    # leaves the others' work standing. With one, the request's transaction is enough.
    isolate_mutations: bool = False

    @cached_property
    def loader(self) -> Loader:
        """What the resolvers read, in batches (loaders.py): made on first use, on the request's
        session (a mutation never asks for it)."""
        return Loader(self.session)


Info = GraphQLResolveInfo[RequestContext]
