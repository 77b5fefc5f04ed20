"""Flows across several apps: a client, its documents, the ledger and services together, through
the services, the API and the panel."""
