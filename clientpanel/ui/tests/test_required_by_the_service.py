"""A field the service requires and checks itself: marked required on the page, yet a blank one is
sent on, so the service names it together with every other problem (its bound still applies)."""

import pytest
from django import forms

from clientpanel.ui.forms import ADDRESS_NEEDS, RequiredByTheService, mark_required_by_the_service, postal_address_form


class _AddressForm(postal_address_form()):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("PL", "Poland")]
        mark_required_by_the_service(self, ADDRESS_NEEDS)


def test_the_marked_fields_keep_label_bound_and_widget_and_read_as_required():
    form = _AddressForm()
    for name in ADDRESS_NEEDS:
        field = form.fields[name]
        assert isinstance(field, RequiredByTheService) and field.required
        assert field.widget.use_required_attribute(None)
    assert str(form.fields["address1"].label) == "Address 1" and form.fields["address1"].max_length == 255
    assert 'required' in str(form["city"]) and 'maxlength="100"' in str(form["city"])
    assert not form.fields["address2"].required and not form.fields["postcode"].required


def test_a_blank_one_is_sent_on_for_the_service_to_name_a_too_long_one_is_not():
    blank = _AddressForm({"address1": "", "city": "  ", "country": "PL"})
    assert blank.is_valid(), blank.errors
    assert blank.cleaned_data["address1"] == "" and blank.cleaned_data["city"] == ""
    long = _AddressForm({"address1": "x" * 256, "city": "Kraków", "country": "PL"})
    assert not long.is_valid() and list(long.errors) == ["address1"]


def test_a_field_of_its_own_validates_what_is_typed():
    field = RequiredByTheService(max_length=3)
    assert field.clean("") == "" and field.clean("abc") == "abc"
    with pytest.raises(forms.ValidationError):
        field.clean("abcd")
