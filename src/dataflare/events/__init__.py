"""Events: what changed about an incident, written to the outbox in the change's own
transaction. Incidents write them; notifications read them. Neither imports the other."""
