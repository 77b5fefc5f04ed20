"""E-invoice export speed (issue 16: one document under 20 ms; 10,000 exported and validated).

    .venv/bin/python bench/einvoice.py [--documents 10000] [--made 200]

Part one, the exporters alone: --documents invoices and credit notes of 1–5 lines with varied
amounts, rates, currencies and buyers (built as the product computes totals) are exported in KSeF
FA(3), UBL and CII and each file validated against its official XSD; documents/s and the median
and p95 of one export, and of one validation, per format.

Part two, end to end on a database of its own (SQLite under var/): `einvoice_make` of a real issued
invoice — read its snapshot, export, validate, store with its SHA-256 — --made times; median and p95.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'bench-einvoice.sqlite3'}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def _inputs(count: int, rng: random.Random) -> list:
    from clientpanel.einvoices.exporters import (
        CREDIT_NOTE,
        INVOICE,
        Corrected,
        EInvoiceInput,
        ExchangeRate,
        Line,
        Party,
    )
    from clientpanel.einvoices.exporters import Tax as EInvoiceTax
    from clientpanel.invoicing.calculations import document_totals, line_net

    seller = Party(name="Hosting Polska sp. z o.o.", country="PL", address1="ul. Prosta 1", city="Warszawa",
                   postcode="00-001", tax_id="5260250995", vat_id="PL5260250995")
    buyers = [Party(name="Klient sp. z o.o.", country="PL", address1="ul. Długa 2", city="Kraków", postcode="30-001",
                    tax_id="7740001454", vat_id="PL7740001454"),
              Party(name="Kunde GmbH", country="DE", address1="Hauptstraße 1", city="Berlin", postcode="10115",
                    tax_id="DE811907980", vat_id="DE811907980")]
    made = []
    for index in range(count):
        buyer = buyers[index % 2]
        reverse = buyer.country != "PL"
        currency = "EUR" if index % 3 == 0 else "PLN"
        rate = Decimal(rng.choice(["23", "8", "5"])) if not reverse else None
        lines = []
        for position in range(1, rng.randint(1, 5) + 1):
            quantity = Decimal(rng.choice(["1", "2", "730", "0.5"]))
            price = Decimal(rng.randint(1, 500_000)) / Decimal(10_000)
            lines.append((position, quantity, price, line_net(quantity, price, currency)))
        credit = index % 10 == 9
        sign = -1 if credit else 1
        nets = [sign * net for *_rest, net in lines]
        totals = document_totals(nets, [("VAT", rate)] if rate is not None else [], currency)
        made.append(EInvoiceInput(
            type=CREDIT_NOTE if credit else INVOICE, number=f"FV/2026/11/{index + 1}", issue_date=dt.date(2026, 11, 23),
            currency=currency, net=totals.net, tax=totals.tax, total=totals.total,
            taxes=tuple(EInvoiceTax(t.name, t.rate, t.amount) for t in totals.tax_lines), reverse_charge=reverse,
            seller=seller, buyer=buyer, due_date=dt.date(2026, 12, 7), buyer_reference=f"{index:06d}",
            seller_bank_account="PL61109010140000071219812874",
            lines=tuple(Line(position=p, description=f"VPS {p}, 2026-11", quantity=q, unit_price=u, net=sign * n)
                        for p, q, u, n in lines),
            corrected=Corrected(number=f"FV/2026/10/{index + 1}", issue_date=dt.date(2026, 10, 30)) if credit else None,
            reason="Zwrot za niewykorzystany okres" if credit else "",
            exchange_rate=ExchangeRate(currency="PLN", rate=Decimal("4.2345"), day=dt.date(2026, 11, 20))
            if currency != "PLN" else None))
    return made


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, int(len(ordered) * share) - 1)]


def exporters_alone(count: int) -> None:
    from clientpanel.einvoices.exporters import get_exporter

    inputs = _inputs(count, random.Random(16))
    print("\n| format | documents | documents/s (export + validate) | export median ms | export p95 ms | "
          "validate median ms | invalid |\n|---|---:|---:|---:|---:|---:|---:|")
    for key in ("ksef_fa3", "ubl", "cii"):
        exporter = get_exporter(key)
        exporter.validate(exporter.export(inputs[0]))  # the schema is parsed once per process
        exports, validations, invalid = [], [], 0
        started = time.perf_counter()
        for data in inputs:
            began = time.perf_counter()
            content = exporter.export(data)
            exported = time.perf_counter()
            invalid += bool(exporter.validate(content))
            exports.append((exported - began) * 1000)
            validations.append((time.perf_counter() - exported) * 1000)
        rate = len(inputs) / (time.perf_counter() - started)
        print(f"| {key} | {len(inputs)} | {rate:,.0f} | {statistics.median(exports):.2f} | "
              f"{_percentile(exports, 0.95):.2f} | {statistics.median(validations):.2f} | {invalid} |")
        if invalid:
            raise SystemExit(f"{invalid} {key} files did not validate")


def made_end_to_end(repeat: int) -> None:
    (ROOT / "var" / "bench-einvoice.sqlite3").unlink(missing_ok=True)
    from django.core.management import call_command

    from clientpanel.clients.services import client_create
    from clientpanel.einvoices.configuration import einvoice_profile_save
    from clientpanel.einvoices.making import einvoice_make
    from clientpanel.einvoices.models import EInvoice
    from clientpanel.invoicing.services import proforma_issue, proforma_pay
    from clientpanel.tax.selectors import default_home_company
    from clientpanel.tax.services import home_company_save, tax_rule_save

    call_command("migrate", verbosity=0)
    company = default_home_company()
    home_company_save(actor=None, company_id=company.pk, data={
        "name": "Hosting Polska sp. z o.o.", "country": "PL", "local_tax_id": "5260250995",
        "eu_vat_id": "PL5260250995", "address1": "ul. Prosta 1", "city": "Warszawa", "postcode": "00-001"})
    tax_rule_save(actor=None, company_id=company.pk, data={"country": "PL", "tax1_name": "VAT", "tax1_rate": "23"})
    einvoice_profile_save(actor=None, company_id=company.pk, format_key="ksef_fa3")
    client = client_create(actor=None, data={"email": "einvoice@example.com", "firstname": "Jan",
                                             "lastname": "Kowalski", "company_name": "Klient sp. z o.o.",
                                             "tax_id": "7740001454", "currency": "PLN",
                                             "billing_address": {"country": "PL", "address1": "ul. Długa 2",
                                                                 "city": "Kraków", "postcode": "30-001"}})
    proforma = proforma_issue(actor=None, client_id=client.pk, items=[
        {"description": "VPS Medium, 2026-11", "quantity": "1", "unit_price": "20.00"},
        {"description": "Backup 100 GB", "quantity": "730", "unit_price": "0.0137"}])
    proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total))
    proforma.refresh_from_db()
    invoice = proforma.related
    samples = []
    for _ in range(repeat):
        EInvoice.objects.filter(document=invoice).delete()
        started = time.perf_counter()
        made = einvoice_make(invoice)
        samples.append((time.perf_counter() - started) * 1000)
        assert made is not None and made.status == "MADE", made.error if made else "none"
    print(f"\n| einvoice_make (read, export, validate, store) | runs | median ms | p95 ms |\n|---|---:|---:|---:|\n"
          f"| KSeF FA(3), 2 lines | {repeat} | {statistics.median(samples):.1f} | {_percentile(samples, 0.95):.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--made", type=int, default=200)
    args = parser.parse_args()
    import django

    django.setup()
    exporters_alone(args.documents)
    made_end_to_end(args.made)


if __name__ == "__main__":
    main()
