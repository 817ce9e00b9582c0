"""The client's check of asset URNs takes what the server's parser takes, and refuses the rest:
the server's reads would answer a mistyped URN as an asset with no incidents."""

from __future__ import annotations

import pytest

from dataflare.client import DataflareClient, InvalidUrn
from dataflare.client.urns import check_asset_urn
from dataflare.core.errors import InvalidInput
from dataflare.core.urns import parse_asset

WELL_FORMED = [
    "urn:li:dataset:(urn:li:dataPlatform:kafka,SampleKafkaDataset,PROD)",
    "urn:li:dataset:(urn:li:dataPlatform:hive,db.(odd),PROD)",
    "urn:li:chart:(looker,look.1)",
    "urn:li:dashboard:(looker,dashboards.1)",
    "urn:li:dataFlow:(airflow,daily_sales,prod)",
    "urn:li:dataJob:(urn:li:dataFlow:(airflow,daily_sales,prod),load)",
    "urn:li:mlModel:(urn:li:dataPlatform:sagemaker,churn,PROD)",
    "urn:li:mlModelGroup:(urn:li:dataPlatform:sagemaker,churn,PROD)",
    "urn:li:mlFeature:(users,age)",
    "urn:li:mlFeatureTable:(urn:li:dataPlatform:feast,users)",
    "urn:li:schemaField:(urn:li:dataset:(urn:li:dataPlatform:hive,db.orders,PROD),amount)",
]
MALFORMED = [
    "urn:li:dataset:(abc)",
    "urn:li:dataset:(kafka,topic,PROD)",
    "urn:li:dataset:(urn:li:dataPlatform:,topic,PROD)",
    "urn:li:dataset:oops",
    "urn:li:chart:(looker)",
    "urn:li:chart:(looker,look.1",
    "urn:li:chart:(looker,look.1))(",
    "urn:li:dataFlow:(airflow,,prod)",
    "urn:li:dataJob:(airflow,load)",
    "urn:li:dataJob:(urn:li:dataFlow:(airflow,prod),load)",
    "urn:li:mlModel:(sagemaker,churn,PROD)",
    "urn:li:mlFeature:(age)",
    "urn:li:mlFeatureTable:(urn:li:dataPlatform:,users)",
    "urn:li:schemaField:(orders,amount)",
    "urn:li:schemaField:(urn:li:chart:(looker,1),amount)",
    "urn:li:corpuser:jdoe",
    "urn:li:incident:abc",
    "orders",
    "",
]


@pytest.mark.parametrize("urn", WELL_FORMED)
def test_what_the_server_parses_passes(urn: str) -> None:
    assert parse_asset(urn).urn == urn
    assert check_asset_urn(urn) == urn


@pytest.mark.parametrize("urn", MALFORMED)
def test_what_the_server_refuses_is_refused_before_asking(urn: str) -> None:
    with pytest.raises(InvalidInput):
        parse_asset(urn)
    with pytest.raises(InvalidUrn) as caught:
        check_asset_urn(urn)
    assert caught.value.message.startswith(f"Invalid asset URN '{urn}': expected ")
    assert isinstance(caught.value, ValueError)


def test_a_shape_error_names_the_kinds_shape() -> None:
    with pytest.raises(InvalidUrn) as caught:
        check_asset_urn("urn:li:dataset:(kafka,topic,PROD)")

    assert caught.value.message == (
        "Invalid asset URN 'urn:li:dataset:(kafka,topic,PROD)': expected "
        "urn:li:dataset:(urn:li:dataPlatform:<platform>,<name>,<ENV>)."
    )


def test_reads_refuse_a_malformed_urn_without_a_request() -> None:
    # Nothing listens at this address: a request would fail with ServerUnreachable instead.
    with DataflareClient("http://127.0.0.1:9", "t", retries=0) as client:
        with pytest.raises(InvalidUrn):
            client.list_incidents("urn:li:dataset:(kafka,topic,PROD)")
        with pytest.raises(InvalidUrn):
            client.health("urn:li:chart:(looker)")
