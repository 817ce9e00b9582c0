"""Every bound on what a request may hold, in one place: bodies, GraphQL documents, page sizes,
lineage walks, text and numbers. Services and surfaces read their limits from here, so SQLite and
PostgreSQL refuse the same input with the same message."""

from __future__ import annotations

KIB = 1024
MIB = 1024 * KIB

# Request bodies: GraphQL and web forms; ingestion (DataHub's emitter sends batches). Settings
# (core/config.py) may change these two.
MAX_BODY_BYTES = 1 * MIB
MAX_INGEST_BYTES = 32 * MIB
# JSON nesting, anywhere: DataHub's deepest aspects nest about ten levels.
MAX_JSON_DEPTH = 64

# GraphQL documents. The introspection queries of GraphiQL, gql and the DataHub SDK have about
# 185 tokens, 230 fields (fragments expanded) and a depth of 15 (leaf fields counted).
MAX_DOCUMENT_TOKENS = 10_000
MAX_DEPTH = 15
MAX_FIELDS = 1_000  # field selections, fragments expanded
# Fields the answer may hold: each field counts once for every element of the lists around it,
# with a list's size taken as its (clamped) `count`, or DEFAULT_LIST_SIZE when it has none.
MAX_COST = 50_000
DEFAULT_LIST_SIZE = 10
DOCUMENT_CACHE_BYTES = 8 * MIB  # parsed documents kept, counted by the size of their text
MAX_CACHED_DOCUMENT_BYTES = 64 * KIB

# Page sizes: a larger `count` is clamped (not refused) and the answer says the size used.
MAX_SEARCH_COUNT = 10_000  # searchAcrossEntities, searchAcrossLineage
MAX_LIST_COUNT = 1_000  # an asset's incidents, lineage, tokens, users
MAX_NESTED_LIST_COUNT = 100  # the same lists inside a list (each result of a search, ...)
# What one incident holds: the assets it affects and the people assigned to it.
MAX_INCIDENT_ASSETS = 1_000
MAX_INCIDENT_ASSIGNEES = 100
# Lineage walks: hops from the start, and assets found.
MAX_LINEAGE_HOPS = 20
MAX_LINEAGE_RESULTS = 10_000
# Column lineage one aspect states (fineGrainedLineages): each entry's upstream columns times its
# downstream columns, summed over the entries.
MAX_COLUMN_EDGES = 10_000

# Text that is stored.
MAX_URN_CHARS = 512  # as DataHub
MAX_PLATFORM_CHARS = 200
MAX_NAME_CHARS = 1_000  # an asset's name
MAX_TITLE_CHARS = 500
MAX_DESCRIPTION_BYTES = 64 * KIB  # descriptions and status messages
MAX_LABEL_CHARS = 200  # custom types, dedup keys, incident ids, user and token names
MAX_ACTOR_FIELD_CHARS = 300  # a person's display name, e-mail, Slack handle, title
MAX_OWNERSHIP_TYPE_CHARS = 64
MAX_TAGS = 100  # tags in one globalTags aspect
MAX_PASSWORD_CHARS = 1_000

# Assertions: an assertionInfo and an assertionRunEvent as stored (JSON), and how many runs a
# runEvents list holds at most.
MAX_ASSERTION_INFO_BYTES = 64 * KIB
MAX_RUN_EVENT_BYTES = 16 * KIB
MAX_RUN_EVENTS = 1_000
DEFAULT_RUN_EVENTS = 20  # runEvents without a limit

# Times in epoch milliseconds: from 1970 to the end of year 9999.
MAX_EPOCH_MS = 253_402_300_799_999
