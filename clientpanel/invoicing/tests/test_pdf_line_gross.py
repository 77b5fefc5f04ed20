"""The gross printed beside each line of a PDF adds up to the document's gross (pdf/line_amounts.py):
a line bears its share of the tax the document charged — per rate on the net sum (SPEC §7), and on a
credit note what the invoice's rate gives on all refunded so far less what earlier notes refunded —
never a tax of its own that may differ by a cent from what the document charges."""

import io
import re
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from clientpanel.clients.services import client_create
from clientpanel.core.errors import ValidationFailed
from clientpanel.core.money import currency_minor_unit
from clientpanel.invoicing.models import Document
from clientpanel.invoicing.pdf.line_amounts import line_grosses
from clientpanel.invoicing.services import credit_note_issue, proforma_issue, proforma_pay
from clientpanel.invoicing.storage import stored_pdf
from clientpanel.tax.models import HomeCompany
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save, tax_rule_save
from conftest import client_data

pytestmark = pytest.mark.django_db
MONEY = re.compile(r"-?(?:PLN|¥|zł)? ?-?[\d ,.]*\d(?: zł)?")


def pdf_lines(document) -> list[str]:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(stored_pdf(document))).pages)
    return [line.replace("\u00a0", " ").replace("\u202f", " ").strip() for line in text.splitlines()]


def amount(text: str, language: str = "en") -> Decimal:
    digits = text.replace(" ", "").replace("zł", "").replace("PLN", "").replace("¥", "")
    digits = digits.replace(",", ".") if language == "pl" else digits.replace(",", "")
    return Decimal(digits)


def is_money(line: str) -> bool:
    return any(sign in line for sign in ("PLN", "¥", "zł")) and bool(MONEY.fullmatch(line))


def amounts_after(lines: list[str], index: int, count: int, language: str = "en") -> list[Decimal]:
    found = [amount(line, language) for line in lines[index + 1:] if is_money(line)]
    return found[:count]


def line_gross_printed(lines: list[str], description: str, language: str = "en") -> Decimal:
    """The third amount of the item's row: unit price, net, gross."""
    return amounts_after(lines, lines.index(description), 3, language)[2]


@pytest.fixture
def polish_company(db):
    company = default_home_company()
    home_company_save(actor=None, company_id=company.pk, data={
        "name": "PUQ sp. z o.o.", "country": "PL", "eu_vat_id": "PL5260250995",
        "invoice_pattern": "FAKTURA/{YEAR}/{MONTH}/{NUMBER}",
        "credit_note_pattern": "NATA-KREDYTOWA/{YEAR}/{MONTH}/{NUMBER}"})
    return HomeCompany.objects.get(pk=company.pk)


@pytest.fixture
def with_yen(settings):
    settings.CLIENTPANEL_CURRENCIES = [*settings.CLIENTPANEL_CURRENCIES, "JPY"]


def test_credit_notes_of_a_third_each_print_the_gross_they_refund(polish_company, settings):
    # The audit's case: 100.00 net at 23%, refunded 33.33, 33.33, 0.01, 33.33. The second note's
    # tax is 15.33 − 7.67 = 7.66 (cumulative, SPEC §7), its total −40.99; its line printed −41,00 zł
    # (−33.33 − 7.67, the line's own tax) beside a summary and a "to refund" of 40,99 zł.
    settings.PDF_IN_CLIENT_LANGUAGE = True
    tax_rule_save(actor=None, company_id=polish_company.pk, data={"country": "PL", "tax1_name": "VAT",
                                                                  "tax1_rate": "23"})
    client = client_create(actor=None, data=client_data(currency="PLN", language="pl", company_name="Kowalski",
                                                        tax_id="PL5260250995"))
    proforma = proforma_issue(actor=None, client_id=client.pk, items=[
        {"description": "Hosting", "quantity": "1", "unit_price": "100.00"}])
    proforma_pay(actor=None, document_id=proforma.pk, amount="123.00")
    invoice = Document.objects.get(pk=proforma.pk).related
    assert invoice.number.startswith("FAKTURA/")
    notes = [credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount=net).note
             for net in ["33.33", "33.33", "0.01", "33.33"]]
    assert [(n.tax, n.total) for n in notes] == [(Decimal("-7.67"), Decimal("-41.00")),
                                                 (Decimal("-7.66"), Decimal("-40.99")),
                                                 (Decimal("0"), Decimal("-0.01")),
                                                 (Decimal("-7.67"), Decimal("-41.00"))]
    for note in notes:
        lines = pdf_lines(note)
        assert note.number.startswith("NATA-KREDYTOWA/")
        line_gross = line_gross_printed(lines, f"Refund ({invoice.number})", "pl")
        summary_total = amounts_after(lines, lines.index("Razem"), 3, "pl")[2]
        assert line_gross == summary_total == note.total, (note.number, line_gross)
        assert f"Do zwrotu: {-note.total:.2f} zł".replace(".", ",") in lines
    assert "-40,99 zł" in pdf_lines(notes[1]) and "-41,00 zł" not in pdf_lines(notes[1])


def test_two_lines_bear_the_documents_tax_in_proportion(polish_company):
    # 3 × 0.05 = 0.15 and 0.15 at 23%: 0.0345 each, rounded per line 0.03 + 0.03 = 0.06, but the
    # document charges 0.07 on 0.30 (0.069). The cent left goes to the first line: 0.19 + 0.18 = 0.37.
    tax_rule_save(actor=None, company_id=polish_company.pk, data={"country": "PL", "tax1_name": "VAT",
                                                                  "tax1_rate": "23"})
    client = client_create(actor=None, data=client_data(currency="PLN"))
    proforma = proforma_issue(actor=None, client_id=client.pk, items=[
        {"description": "Stamps", "quantity": "3", "unit_price": "0.05"},
        {"description": "Envelope", "quantity": "1", "unit_price": "0.15"}])
    assert proforma.total == Decimal("0.37")
    lines = pdf_lines(proforma)
    assert line_gross_printed(lines, "Stamps") == Decimal("0.19")
    assert line_gross_printed(lines, "Envelope") == Decimal("0.18")


# --- any lines at any rates: the printed lines and the summary add up to the document's total ------

TAX_NAMES = ["VAT", "ECO", "LEVY"]
rates = st.lists(st.decimals(min_value=Decimal("0"), max_value=Decimal("27"), places=3), min_size=1, max_size=3)
items = st.lists(st.tuples(st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("50"), places=4),
                           st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("5000"), places=4)),
                 min_size=1, max_size=6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(currency=st.sampled_from(["PLN", "JPY"]), taxes=rates, specs=items, paid=st.booleans())
def test_printed_line_grosses_and_the_summary_per_rate_add_up_to_the_total(polish_company, with_yen, currency, taxes,
                                                                         specs, paid):
    with transaction.atomic():
        rule = {"country": "PL"}
        for n, rate in enumerate(taxes, start=1):
            rule |= {f"tax{n}_name": TAX_NAMES[n - 1], f"tax{n}_rate": str(rate)}
        tax_rule_save(actor=None, company_id=polish_company.pk, data=rule)
        client = client_create(actor=None, data=client_data(currency=currency))
        try:
            document = proforma_issue(actor=None, client_id=client.pk, items=[
                {"description": f"Line {i}", "quantity": str(q), "unit_price": str(p)}
                for i, (q, p) in enumerate(specs, start=1)])
        except ValidationFailed:  # the items round to nothing in the currency: not issued
            transaction.set_rollback(True)
            reject()
        if paid:  # the final invoice
            proforma_pay(actor=None, document_id=document.pk, amount=str(document.total))
            document = Document.objects.get(pk=document.pk).related
        assert_adds_up(document, taxes)
        transaction.set_rollback(True)


def assert_adds_up(document: Document, taxes: list[Decimal]) -> None:
    lines = pdf_lines(document)
    unit = Decimal(1).scaleb(-currency_minor_unit(document.currency))
    grosses = [line_gross_printed(lines, item.description) for item in document.items.all()]
    assert sum(grosses) == document.total
    for item, gross in zip(document.items.all(), grosses, strict=True):
        # Each line's share stays within 1.5 minor units per rate of its own net × rate.
        own = item.net * (1 + sum(taxes) / 100)
        assert abs(gross - own) <= Decimal("1.5") * unit * len(taxes), (item.net, gross, own)
    summary = lines.index("VAT amount")
    rows = [amounts_after(lines, lines.index(f"{TAX_NAMES[n]} {rate.normalize():f}%".replace(".000", ""),
                                             summary), 3) for n, rate in enumerate(taxes)]
    total_net, total_tax, total = amounts_after(lines, lines.index("Total", summary), 3)
    assert total_net == document.net and total == document.total
    assert total_tax == sum(row[1] for row in rows) == document.tax
    assert total_net + total_tax == total
    if len(taxes) == 1:
        assert rows[0][0] + rows[0][1] == rows[0][2] == total
    label = "Paid: " if document.type == "INVOICE" else "To pay: "
    assert [amount(line.removeprefix(label)) for line in lines if line.startswith(label) and is_money(
        line.removeprefix(label))] == [total]


# --- the sharing itself, fast ----------------------------------------------------------------------

@settings(max_examples=400, deadline=None)
@given(currency=st.sampled_from(["JPY", "PLN", "KWD"]), credit=st.booleans(),
       nets=st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=12).filter(any),
       taxes=st.lists(st.integers(min_value=-3, max_value=3), min_size=0, max_size=3), rates=rates)
def test_the_lines_share_each_tax_exactly_and_in_proportion(currency, credit, nets, taxes, rates):
    unit = Decimal(1).scaleb(-currency_minor_unit(currency))
    sign = -1 if credit else 1
    nets = [sign * n * unit for n in nets]
    # Each tax as a document charges it: the rate on the net sum, give or take a cumulative cent.
    charged = [(sum(nets) * rate / 100).quantize(unit) + sign * delta * unit for rate, delta in zip(rates, taxes,
                                                                                                     strict=False)]
    grosses = line_grosses(nets, charged, currency)
    assert sum(grosses) == sum(nets) + sum(charged)
    assert all(g == g.quantize(unit) for g in grosses)
    if len(nets) == 1:
        assert grosses == [nets[0] + sum(charged)]
    total = sum(nets)
    for net, gross in zip(nets, grosses, strict=True):
        exact = net + sum(tax * net / total for tax in charged)
        assert abs(gross - exact) <= unit * len(charged)
        if not net:
            assert gross == 0


@pytest.mark.parametrize("language", ["en", "pl"])
def test_large_amounts_are_set_on_one_line_in_every_column(polish_company, language):
    """Fixed column widths broke "PLN 100,010.00" into "PLN 100,010.0" and "0" below it: an amount
    column is as wide as its widest amount, the description takes the rest."""
    tax_rule_save(actor=None, company_id=polish_company.pk, data={"country": "PL", "tax1_name": "VAT",
                                                                  "tax1_rate": "23"})
    client = client_create(actor=None, data=client_data(currency="PLN", language=language))
    proforma = proforma_issue(actor=None, client_id=client.pk, items=[
        {"description": "Data centre", "quantity": "12", "unit_price": "812345678.9012"},
        {"description": "Support", "quantity": "1", "unit_price": "0.01"}])
    lines = pdf_lines(proforma)
    for total in (proforma.net, proforma.tax, proforma.total, proforma.items.get(description="Data centre").net):
        assert sum(amount(line, language) == total for line in lines if is_money(line)) >= 1, (total, lines)
    # No amount is cut: no line holds only the tail of one ("0", "00 zł"); 1, 2 and 12 are the
    # positions and a quantity.
    assert not [line for line in lines if re.fullmatch(r"\d{1,2}( zł)?", line) and line not in ("1", "2", "12")]
