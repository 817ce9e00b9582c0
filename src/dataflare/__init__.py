"""Dataflare: incidents for data assets, speaking the DataHub Incidents API."""

__version__ = "0.1.0"
