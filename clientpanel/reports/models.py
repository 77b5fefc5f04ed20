from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class DashboardSnapshot(models.Model):
    """The dashboard's figures over every client, as the refresh_dashboard job last computed them
    (reports/dashboard.py): at a million clients and ten million ledger entries they take seconds
    to add up, so staff who see every client read them from here, with the moment they were
    computed; staff limited to their assigned clients get theirs added up live."""

    key = models.CharField(max_length=20, primary_key=True)  # "all": every client
    computed_at = models.DateTimeField()
    figures = models.JSONField(encoder=DjangoJSONEncoder)

    def __str__(self) -> str:
        return f"{self.key} at {self.computed_at:%Y-%m-%d %H:%M}"
