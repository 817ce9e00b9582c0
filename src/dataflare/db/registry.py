"""Every table, imported in one place so that migrations and tests see the whole schema."""

from dataflare.access.models import AccessToken, LoginFailure, ServerKey, User, WebSession
from dataflare.assertions.models import Assertion, AssertionRun
from dataflare.catalog.models import Asset
from dataflare.catalog.stored_models import StoredAspect
from dataflare.db.base import Base
from dataflare.events.models import NotificationEvent
from dataflare.incidents.models import (
    Incident,
    IncidentActivity,
    IncidentAsset,
    IncidentAssignee,
    IncidentDeletion,
)
from dataflare.notifications.models import NotificationDelivery, SlackMessage

__all__ = [
    "AccessToken",
    "Assertion",
    "AssertionRun",
    "Asset",
    "Base",
    "Incident",
    "IncidentActivity",
    "IncidentAsset",
    "IncidentAssignee",
    "IncidentDeletion",
    "LoginFailure",
    "NotificationDelivery",
    "NotificationEvent",
    "ServerKey",
    "SlackMessage",
    "StoredAspect",
    "User",
    "WebSession",
]
