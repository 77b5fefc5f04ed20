"""Fixtures the service tests share."""

import datetime as dt

import pytest
from django.utils import timezone


@pytest.fixture
def clock(monkeypatch):
    """Staff actions read the real clock; move it to the simulated moment of the test."""

    def move_to(moment: dt.datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return move_to
