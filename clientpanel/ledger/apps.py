from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "clientpanel.ledger"
    label = "ledger"
