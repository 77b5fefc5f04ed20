"""An e-mail domain whose label mixes scripts (a Cyrillic "а" in "exаmple") is refused as the look-alike
it is — Unicode TS #39's "highly restrictive" level, the one browsers show in Unicode — while a domain
written in one script, or in the scripts Japanese writes together, is an address like any other."""

import pytest
from django.utils import translation

from clientpanel.accounts.homographs import is_highly_restrictive, mixed_script_label
from clientpanel.accounts.services import clean_email, client_user_create, staff_create
from clientpanel.core.errors import FieldErrors, ValidationFailed

pytestmark = pytest.mark.django_db

ACCEPTED = [
    # (The part before the @ stays ASCII, as Django's validator and its SMTP sending need: müller@ is
    # refused as before, whatever its domain.)
    ("mueller@münchen.de", "mueller@xn--mnchen-3ya.de"),
    ("jan@пример.рф", "jan@xn--e1afmkfd.xn--p1ai"),
    ("user@例え.jp", "user@xn--r8jz45g.jp"),  # Han with Hiragana: Japanese
    ("jan@1-пример.рф", "jan@xn--1--olcluqhd.xn--p1ai"),  # digits and hyphens go with any script
    ("jan@example.com", "jan@example.com"),
]
REFUSED = [
    ("jan@exаmple.com", "exаmple", "Latin, Cyrillic"),  # Cyrillic а
    ("jan@xn--exmple-4nf.com", "exаmple", "Latin, Cyrillic"),  # the same, typed in its ASCII form
    ("jan@gοogle.com", "gοogle", "Latin, Greek"),  # Greek omicron
    ("jan@mail.раypal.com", "раypal", "Cyrillic, Latin"),  # any label, not only the first
    ("jan@한국え.kr", "한국え", "Hangul, Hiragana"),  # two East Asian scripts no language writes together
]


def _cleaned(email: str) -> tuple[str, list[str]]:
    errors = FieldErrors()
    cleaned = clean_email(email, errors)
    return cleaned, errors.fields.get("email", [])


@pytest.mark.parametrize("typed, stored", ACCEPTED)
def test_a_domain_in_one_script_is_accepted(typed, stored):
    assert _cleaned(typed) == (stored, [])


@pytest.mark.parametrize("typed, label, scripts", REFUSED)
def test_a_domain_label_that_mixes_scripts_is_refused_and_named(typed, label, scripts):
    _, messages = _cleaned(typed)
    assert messages == [f"“{label}” in the email address's domain mixes alphabets ({scripts}), as look-alikes of "
                        "other domains do; write each part of the domain in one alphabet."]


def test_the_refusal_reads_in_polish():
    with translation.override("pl"):
        _, messages = _cleaned("jan@exаmple.com")
    assert messages == ["„exаmple” w domenie adresu e-mail łączy alfabety (łaciński, cyrylicki), jak robią to "
                        "podróbki innych domen; wpisz każdą część domeny w jednym alfabecie."]


@pytest.mark.parametrize("label, allowed", [
    ("東京tokyo", True),  # Latin with Japanese, as TS #39's highly restrictive level allows
    ("한국abc", True),  # Latin with Korean
    ("ー例", True),  # the prolonged sound mark is Hiragana and Katakana
    ("é́a", True),  # a combining mark takes its base letter's script
    ("abcα", False),
    ("пример1a", False),
])
def test_the_restriction_level_of_labels(label, allowed):
    assert is_highly_restrictive(label) is allowed


def test_a_label_that_is_no_punycode_mixes_nothing():
    assert mixed_script_label("xn--zz-.com") is None
    assert mixed_script_label("example.com") is None


def test_user_creation_refuses_a_mixed_script_domain_and_writes_nothing(staff):
    from clientpanel.accounts.models import User

    before = User.objects.count()
    for create in (lambda: client_user_create(actor=None, data={"email": "jan@exаmple.com", "firstname": "J",
                                                                 "lastname": "K", "password": ""}),
                   lambda: staff_create(email="jan@exаmple.com", password="a-long-staff-passphrase")):
        with pytest.raises(ValidationFailed) as refused:
            create()
        assert "mixes alphabets" in " ".join(refused.value.fields["email"])
    assert User.objects.count() == before
