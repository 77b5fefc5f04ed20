"""What the directory's search knows of its own data: the trigrams most clients share."""

from django.db import models


class SearchTrigram(models.Model):
    """A trigram found in the search text of at least DENSE_SHARE of the clients, measured on a
    sample by clients.services.search_statistics. A search leaves such trigrams out of what it asks
    the trigram index for (clients.selectors.search): reading the posting list of a trigram that
    every e-mail address holds costs a million entries and narrows nothing."""

    trigram = models.CharField(max_length=16, primary_key=True)
    per_mille = models.PositiveSmallIntegerField()
    measured_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(per_mille__lte=1000), name="search_trigram_share")]

    def __str__(self) -> str:
        return f"{self.trigram!r} in {self.per_mille}‰"
