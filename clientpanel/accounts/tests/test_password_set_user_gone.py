"""password_set_from_link for a user deleted since its link was checked: a refusal saying the link is
no longer valid (the set-password page shows it), never DoesNotExist (a 500)."""

import pytest

from clientpanel.accounts.models import User
from clientpanel.accounts.services import password_set_from_link
from clientpanel.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def test_a_user_deleted_meanwhile_is_a_link_no_longer_valid():
    user = User.objects.create_user("gone@example.com", None, firstname="Go", lastname="Ne")
    checked = User.objects.get(pk=user.pk)  # what the link's check read
    User.objects.filter(pk=user.pk).delete()
    with pytest.raises(ValidationFailed, match="no longer valid") as refused:
        password_set_from_link(user=checked, password="a-long-passphrase-1")
    assert refused.value.code == "link_invalid" and not User.objects.filter(pk=user.pk).exists()
