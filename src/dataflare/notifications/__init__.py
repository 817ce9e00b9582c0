"""Notifications: an outbox written with each incident change, delivered later by a worker to
Slack, signed webhooks and e-mail."""
