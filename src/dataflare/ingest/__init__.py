"""Metadata ingestion as DataHub sends it: proposals turned into catalog and incident calls."""
