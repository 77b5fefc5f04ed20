"""The system's words for why an e-invoice could not be made, sent or accepted, by code (reasons.py
keeps a code and its parameters beside the English text and shows it in the reader's language).

The English is the message translated: one wording for what is stored and what is shown. A code's
wording may be reworded; its placeholders stay, or older rows show as stored."""

from __future__ import annotations

from django.utils.translation import gettext_noop

WORDING = {
    # Making the file (making.py).
    "internal": gettext_noop("The e-invoice could not be made because of an error on our side (it is logged); "
                             "try again later, and tell the administrator if it keeps failing."),
    "rate_missing": gettext_noop(
        "Enter the %(to)s rate of %(currency)s for %(day)s (the NBP average rate of the last working day before "
        "%(document)s was issued) under Finance → Tax exchange rates, then make the e-invoice again."),
    "corrected_not_accepted": gettext_noop(
        "The corrected invoice %(number)s is not accepted by KSeF yet: this credit note's e-invoice is made once its "
        "KSeF number is known."),
    "schema": gettext_noop("The file does not pass the format's schema: %(problem)s"),
    "schema_line": gettext_noop("Line %(line)s: %(message)s"),
    "not_xml": gettext_noop("The file is not well-formed XML: %(error)s"),
    "no_format": gettext_noop("No e-invoice format named %(key)s."),
    # KSeF FA(3) (exporters/ksef_fa3*.py).
    "fa3_decimals": gettext_noop("FA(3) writes amounts with at most two decimals; %(amount)s has more."),
    "fa3_totals": gettext_noop("The document's lines, net, tax and total do not add up."),
    "fa3_rate_missing": gettext_noop("Enter the NBP average rate of %(currency)s for %(day)s: a foreign-currency "
                                     "invoice shows its VAT in złoty."),
    "fa3_rate_not_nbp": gettext_noop("The exchange rate %(rate)s %(currency)s is not an NBP rate into złoty."),
    "fa3_seller_country": gettext_noop("KSeF FA(3) is for sellers in Poland; this seller's country is %(country)s."),
    "fa3_seller_nip": gettext_noop("The seller has no valid NIP (10 digits); enter it in the company's tax ID."),
    "fa3_seller_address": gettext_noop("Enter the seller's address: FA(3) requires it."),
    "fa3_buyer_nip": gettext_noop("The buyer's NIP %(number)s is not valid."),
    "fa3_buyer_eu_vat": gettext_noop("The buyer's EU VAT number %(number)s is not valid."),
    "fa3_country": gettext_noop("Enter the country of %(name)s: an FA(3) address needs it."),
    "fa3_stacked_taxes": gettext_noop("FA(3) has one VAT rate per line; this document charges several taxes "
                                      "(%(taxes)s) on the same amounts."),
    "fa3_reverse_charge_vat": gettext_noop("A reverse-charge document cannot charge VAT."),
    "fa3_exemption_basis": gettext_noop("This document charges no VAT: enter the legal basis of the exemption under "
                                        "Settings → Home companies → E-invoices."),
    "fa3_zero_rate_vat": gettext_noop("A zero rate cannot charge VAT."),
    "fa3_rate_unknown": gettext_noop("%(rate)s%% is not a Polish VAT rate; FA(3) cannot carry it."),
    "fa3_no_corrected": gettext_noop("A credit note needs the invoice it corrects."),
    "fa3_bank_account": gettext_noop("The bank account %(account)s is not an account number FA(3) accepts."),
    # EN 16931: UBL, CII, Factur-X (exporters/en16931*.py).
    "en_decimals": gettext_noop("The amount %(amount)s has more than 2 decimal places, which EN 16931 does not "
                                "allow."),
    "en_stacked_taxes": gettext_noop("This document has stacked taxes (%(names)s); EN 16931 allows one VAT rate per "
                                     "line, so it cannot be written as an EN 16931 e-invoice."),
    "en_negative_rate": gettext_noop("A negative tax rate cannot be written in EN 16931."),
    "en_zero_rate_abroad": gettext_noop("A zero tax rate for a buyer in another country, without reverse charge, has "
                                        "no EN 16931 VAT category; mark the document reverse charge or charge VAT."),
    "en_seller_country": gettext_noop("The seller has no country; EN 16931 requires one in its postal address."),
    "en_buyer_country": gettext_noop("The buyer has no country; EN 16931 requires one in its postal address."),
    "en_seller_vat": gettext_noop("The seller has no VAT number, which EN 16931 requires for this VAT category."),
    "en_seller_tax_number": gettext_noop("The seller has neither a VAT number nor a tax number; EN 16931 needs one "
                                         "of them."),
    "en_buyer_vat": gettext_noop("Reverse charge needs the buyer's VAT number, and this buyer has none."),
    "en_line_name": gettext_noop("Line %(position)d has no description; EN 16931 requires an item name."),
    "en_no_lines": gettext_noop("The document has no lines; EN 16931 requires at least one."),
    "en_totals": gettext_noop("The document's totals do not add up (lines %(lines)s, net %(net)s, tax %(tax)s, "
                              "total %(total)s); it cannot be exported."),
    "en_tax_without_rate": gettext_noop("The document charges tax but has no tax rate above zero."),
    # What a format asks of the seller (requirements.py): said at save, on the settings card, on the document.
    "en_company_identifier": gettext_noop(
        "EN 16931 e-invoices (UBL, CII, Factur-X) name the seller by its VAT or tax number, and this company has "
        "neither: enter its EU VAT ID or Local tax ID under Settings → Home companies."),
    "en_company_identifier_us": gettext_noop(
        "EN 16931 e-invoices (UBL, CII, Factur-X) name the seller by its VAT or tax number, and this company has "
        "none: enter its US EIN under Settings → Home companies."),
    "en_company_identifier_ca": gettext_noop(
        "EN 16931 e-invoices (UBL, CII, Factur-X) name the seller by its VAT or tax number, and this company has "
        "none: enter its GST/HST number (or its Canadian BN) under Settings → Home companies."),
    "en_document_identifier": gettext_noop(
        "This document was issued while its home company had no VAT or tax number, by which EN 16931 e-invoices "
        "(UBL, CII, Factur-X) name the seller; an issued document never changes, so it cannot have one."),
    "company_stacked_taxes": gettext_noop(
        "%(format)s writes one VAT rate per line, and this company's tax rules charge several taxes on the same "
        "amounts (%(rules)s): documents under those rules cannot be written in it."),
    "facturx_no_pdf": gettext_noop("Factur-X embeds the invoice data in the document's PDF, and there is no PDF."),
    # Sending to KSeF (sending.py, ksef/api.py): KSeF's own words go in as parameters, as received.
    "no_token": gettext_noop("No KSeF token: set the environment variable named in the company's e-invoice settings "
                             "(%(name)s) on the server."),
    "emulator_only": gettext_noop("CLIENTPANEL_KSEF_BASE_URL may name only a KSeF emulator on this machine."),
    "auth_timeout": gettext_noop("KSeF did not finish the authentication in time; try again later."),
    "auth_refused": gettext_noop("KSeF refused the authentication: %(reason)s"),
    "busy": gettext_noop("KSeF is busy (HTTP 429: too many requests); try again later."),
    "unreadable": gettext_noop("KSeF's answer could not be read (%(error)s); try again later."),
    "no_answer": gettext_noop("KSeF could not be reached (%(error)s); try again later."),
    "unavailable": gettext_noop("KSeF is unavailable (HTTP %(status)s); try again later."),
    "request_refused": gettext_noop("KSeF refused the request (HTTP %(status)s): %(reason)s"),
    "refused_for_a_day": gettext_noop("KSeF refused us for a day (%(reason)s); put it right and send it again."),
    "still_checking": gettext_noop("KSeF has not finished checking this file for days; ask it again."),
    "duplicate_recorded": gettext_noop("KSeF had this invoice already; its number is recorded."),
    "duplicate_unnamed": gettext_noop("KSeF has this invoice already (%(reason)s); find its KSeF number there and "
                                      "record it."),
    "number_taken": gettext_noop("KSeF answered the number %(number)s, which another document already has."),
    "unreachable_for_a_day": gettext_noop("KSeF could not be reached for a day (%(reason)s); try again."),
    "unreachable": gettext_noop("KSeF could not be reached (%(reason)s); trying again."),
}

# Parameters that may hold another reason (KSeF's refusal inside "refused us for a day (…)"), read
# back from an older row's text as one where they match a wording.
NESTED = frozenset({"reason", "problem"})
# Parameters that are amounts, shown in the reader's number format.
AMOUNTS = frozenset({"lines", "net", "tax", "total"})
# Numbers shown in the reader's format with every decimal they have (an amount with too many
# decimals, a VAT rate, an exchange rate): "12,345" in Polish, beside "po przecinku", not "12.345".
NUMBERS = frozenset({"amount", "rate"})
