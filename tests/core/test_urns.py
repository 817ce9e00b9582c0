import pytest

from dataflare.core.errors import InvalidInput
from dataflare.core.urns import ActorRef, parse_actor, parse_asset, split_tuple


@pytest.mark.parametrize(
    ("urn", "kind", "platform", "name"),
    [
        (
            "urn:li:dataset:(urn:li:dataPlatform:kafka,SampleKafkaDataset,PROD)",
            "dataset",
            "kafka",
            "SampleKafkaDataset",
        ),
        ("urn:li:chart:(looker,look.1)", "chart", "looker", "look.1"),
        ("urn:li:dashboard:(looker,dashboards.1)", "dashboard", "looker", "dashboards.1"),
        ("urn:li:dataFlow:(airflow,daily_sales,prod)", "dataFlow", "airflow", "daily_sales"),
        (
            "urn:li:dataJob:(urn:li:dataFlow:(airflow,daily_sales,prod),load)",
            "dataJob",
            "airflow",
            "load",
        ),
        (
            "urn:li:mlModel:(urn:li:dataPlatform:sagemaker,churn,PROD)",
            "mlModel",
            "sagemaker",
            "churn",
        ),
        (
            "urn:li:mlModelGroup:(urn:li:dataPlatform:mlflow,churn-models,PROD)",
            "mlModelGroup",
            "mlflow",
            "churn-models",
        ),
        ("urn:li:mlFeature:(users,age_days)", "mlFeature", "users", "age_days"),
        (
            "urn:li:mlFeatureTable:(urn:li:dataPlatform:feast,user_features)",
            "mlFeatureTable",
            "feast",
            "user_features",
        ),
    ],
)
def test_parse_asset_reads_kind_platform_and_name(
    urn: str, kind: str, platform: str, name: str
) -> None:
    ref = parse_asset(urn)
    assert (ref.urn, ref.kind, ref.platform, ref.name) == (urn, kind, platform, name)


@pytest.mark.parametrize(
    ("urn", "expected_text"),
    [
        ("urn:li:dataset:(abc)", "urn:li:dataset:(urn:li:dataPlatform:<platform>,<name>,<ENV>)"),
        ("urn:li:dataset:(kafka,topic,PROD)", "urn:li:dataPlatform:kafka"),
        ("urn:li:chart:(looker)", "urn:li:chart:(<tool>,<id>)"),
        ("urn:li:chart:(looker,look.1", "urn:li:chart:(<tool>,<id>)"),
        ("urn:li:dataJob:(airflow,load)", "urn:li:dataJob:(<dataFlow urn>,<jobId>)"),
        ("urn:li:dataFlow:(airflow,,prod)", "urn:li:dataFlow:"),
        ("urn:li:mlModel:(sagemaker,churn,PROD)", "a platform URN like urn:li:dataPlatform:"),
        ("urn:li:mlFeature:(age_days)", "urn:li:mlFeature:(<featureNamespace>,<name>)"),
        ("urn:li:mlFeatureTable:(urn:li:dataPlatform:feast,a,b)", "mlFeatureTable:(urn:li:"),
    ],
)
def test_malformed_asset_urns_name_the_expected_shape(urn: str, expected_text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_asset(urn)
    assert urn in caught.value.message
    assert expected_text in caught.value.message


@pytest.mark.parametrize(
    "urn", ["urn:li:corpuser:jdoe", "urn:li:glossaryTerm:x", "dataset", "", "urn:li:dataset"]
)
def test_other_kinds_name_the_kinds_accepted(urn: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_asset(urn)
    assert f"'{urn}'" in caught.value.message
    assert "dataset, chart, dashboard, dataFlow, dataJob, mlModel" in caught.value.message


def test_split_tuple_keeps_nested_urns_whole() -> None:
    assert split_tuple("(urn:li:dataFlow:(a,b,c),job)") == ["urn:li:dataFlow:(a,b,c)", "job"]
    assert split_tuple("(a,(b)") is None
    assert split_tuple("a,b") is None


def test_actors_are_users_or_groups() -> None:
    assert parse_actor("urn:li:corpGroup:data-eng") == "urn:li:corpGroup:data-eng"
    assert ActorRef("urn:li:corpGroup:data-eng").is_group
    assert ActorRef("urn:li:corpuser:jdoe").name == "jdoe"
    with pytest.raises(InvalidInput, match="urn:li:corpuser:<name>"):
        parse_actor("jdoe")
