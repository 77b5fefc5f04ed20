"""`createstaff`'s refusals name the option an operator typed (`--role`, not the service's `roles`),
and its --role values are checked and bounded before anything is written."""

import pytest
from django.core.management import CommandError, call_command

from clientpanel.accounts.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def refusal(*role_args: str) -> str:
    with pytest.raises(CommandError) as refused:
        call_command("createstaff", "--email", "new@example.com", "--password", PASSWORD, *role_args)
    assert not User.objects.filter(email="new@example.com").exists()
    return str(refused.value)


def test_an_unknown_role_is_named_under_the_option_typed_with_the_roles_there_are():
    message = refusal("--role", "Administrator", "--role", "Nope")
    assert "--role: There is no role named 'Nope'." in message
    assert "--roles" not in message and ": roles." not in message
    assert "The roles are: Accountant, Administrator, Read-only, Support." in message


@pytest.mark.parametrize("empty", ["", "   "])
def test_an_empty_role_is_refused_rather_than_giving_no_role(empty):
    assert "--role: A role name cannot be empty." in refusal("--role", empty)


def test_an_overlong_role_is_refused_and_not_repeated_whole():
    message = refusal("--role", "x" * 5000)
    assert "--role:" in message and "At most 150 characters." in message
    assert len(message) < 400


def test_a_role_with_control_characters_is_refused():
    assert "--role: A role name cannot contain control characters: 'Adm\\nin'." in refusal("--role", "Adm\nin")


def test_too_many_roles_are_refused():
    assert "Too many roles: give at most 50." in refusal(*["--role", "Support"] * 51)


def test_a_role_given_twice_is_given_once(capsys):
    call_command("createstaff", "--email", "new@example.com", "--password", PASSWORD,
                 "--role", "Support", "--role", " Support")
    assert list(User.objects.get(email="new@example.com").groups.values_list("name", flat=True)) == ["Support"]
    assert "(Support)" in capsys.readouterr().out


def test_other_refusals_name_their_options_on_the_first_line_too():
    with pytest.raises(CommandError) as refused:
        call_command("createstaff", "--email", "not-an-address", "--password", "123")
    assert "Some fields are not valid: --email, --password." in str(refused.value)
    assert "  --password: " in str(refused.value)
