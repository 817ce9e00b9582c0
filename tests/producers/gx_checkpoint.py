"""Runs inside .venv-producers: validates the `orders` table of a SQLite file with Great
Expectations (every order has a customer) through a checkpoint whose DataHubValidationAction
sends the results to a Dataflare server, as docs/assertions.md configures it.

Usage: gx_checkpoint.py SQLITE_FILE. Reads DATAFLARE_URL and DATAFLARE_TOKEN; prints one JSON
object: whether the validation passed (and exits non-zero if sending its results failed). Kept
free of Dataflare imports: it runs in the producers' own environment.
"""

import json
import os
import sys

import great_expectations as gx
from datahub_gx_plugin.action_v1 import DataHubValidationAction

context = gx.get_context(mode="ephemeral")
shop = context.data_sources.add_sqlite(name="shop", connection_string=f"sqlite:///{sys.argv[1]}")
orders = shop.add_table_asset(name="orders", table_name="orders")
suite = context.suites.add(gx.ExpectationSuite(name="orders_suite"))
suite.add_expectation(gx.expectations.ExpectColumnValuesToNotBeNull(column="customer_id"))
validation = context.validation_definitions.add(
    gx.ValidationDefinition(
        name="orders_validation",
        data=orders.add_batch_definition_whole_table("whole table"),
        suite=suite,
    )
)
checkpoint = context.checkpoints.add(
    gx.Checkpoint(
        name="orders_checkpoint",
        validation_definitions=[validation],
        actions=[
            DataHubValidationAction(
                name="datahub",
                server_url=os.environ["DATAFLARE_URL"],
                token=os.environ["DATAFLARE_TOKEN"],
                # GX 1.x's SQLite batches carry no connection URL to name the table by.
                platform="sqlite",
                dataset_name="shop.orders",
                graceful_exceptions=False,
            )
        ],
    )
)
# The action raises when Dataflare refuses what it sends (graceful_exceptions=False).
result = checkpoint.run()
print(json.dumps({"success": result.success}))
