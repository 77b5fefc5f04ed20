"""What an audit action is called (audit.services.audit_record's `action` codes), in the reader's
language. Kept with the actions rather than in ui so that every layer showing them (the panel's
Activity pages, privacy's data export) names them the same way from one map."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# What an audit event records (audit.services.audit_record's `action`), as the Activity tab,
# Settings → Activity log and the privacy export's activity.csv show it; backoffice/tests/
# test_rough_edges.py finds every action the code records and asks for its label here. A module's
# own action ("service.action.reboot") is worded by audit_action_label; an action missing here is
# shown as its code.
AUDIT_ACTIONS = {
    "address.create": _("Address added"), "address.update": _("Address changed"),
    "address.delete": _("Address deleted"),
    "api_token.create": _("API token created"), "api_token.revoke": _("API token revoked"),
    "client.create": _("Client created"), "client.update": _("Client changed"),
    "client.erase": _("Personal data erased"), "client.export_data": _("Client data exported"),
    "client.login_as": _("Logged in as the client"), "client.merge": _("Clients merged"),
    "client.staff_message": _("Message from staff sent"),
    "client.transfer_ownership": _("Ownership transferred"), "client.vies_check": _("VAT number checked in VIES"),
    "client.welcome_email": _("Welcome e-mail sent"),
    "client_file.create": _("File added"), "client_file.delete": _("File deleted"),
    "client_import.commit": _("Clients imported"), "client_import.mapping_save": _("Import columns saved"),
    "client_user.link": _("User linked"), "client_user.update": _("User's permissions changed"),
    "client_user.remove": _("User removed"), "client_user.muted_emails": _("User's e-mails muted or unmuted"),
    "document.issue": _("Document issued"), "document.cancel": _("Document cancelled"),
    "document.invoice": _("Invoice issued"), "document.credit_note": _("Credit note issued"),
    "document.payment": _("Payment recorded"),
    "email.resend": _("E-mail sent again"),
    "email_template.save": _("E-mail template saved"), "email_template.reset": _("E-mail template reset"),
    "exchange_rate.create": _("Exchange rate added"), "exchange_rate.update": _("Exchange rate changed"),
    "exchange_rate.delete": _("Exchange rate deleted"),
    "add_funds_limit.create": _("Add Funds limits set"), "add_funds_limit.update": _("Add Funds limits changed"),
    "add_funds_limit.delete": _("Add Funds limits removed"),
    "group.create": _("Group created"), "group.update": _("Group changed"), "group.delete": _("Group deleted"),
    "home_company.create": _("Home company created"), "home_company.update": _("Home company changed"),
    "home_company.logo": _("Home company's logo changed"),
    "home_company.muted_emails": _("Home company's e-mails muted or unmuted"),
    "ledger.manual_transaction": _("Manual transaction"),
    "price.create": _("Price added"), "price.update": _("Price changed"), "price.retire": _("Price retired"),
    "price.restore": _("Price restored"),
    "product.create": _("Product created"), "product.update": _("Product changed"),
    "product.retire": _("Product retired"),
    "role.create": _("Role created"), "role.update": _("Role changed"), "role.delete": _("Role deleted"),
    "service.order": _("Service ordered"), "service.activate": _("Service activated"),
    "service.suspend": _("Service suspended"), "service.unsuspend": _("Service unsuspended"),
    "service.terminate": _("Service terminated"), "service.cancel": _("Service cancelled"),
    "service.cancel_request": _("Cancellation requested"), "service.cancel_withdraw": _("Cancellation withdrawn"),
    "service.charge_over_limit": _("Charged over the credit limit"),
    "staff.create": _("Staff member created"), "staff.update": _("Staff member changed"),
    "staff.assign_clients": _("Clients assigned"), "staff.password_reset": _("Staff password reset"),
    "staff.2fa_on": _("Two-factor authentication turned on"),
    "staff.2fa_off": _("Two-factor authentication turned off"),
    "staff.2fa_reset": _("Two-factor authentication reset"),
    "staff.2fa_recovery_code_used": _("Recovery code used"),
    "tax_rule.create": _("Tax rule added"), "tax_rule.update": _("Tax rule changed"),
    "tax_rule.delete": _("Tax rule deleted"),
    "bank_statement.upload": _("Bank statement imported"),
    "einvoice.make": _("E-invoice made"), "einvoice.ksef_number": _("KSeF number recorded"),
    "einvoice.send": _("E-invoice sent to KSeF again"),
    "einvoice.profile": _("E-invoice format changed"), "vat_exchange_rate.save": _("Tax exchange rate entered"),
    "bank_statement.line_choose": _("Proforma chosen for a bank statement line"),
    "bank_statement.line_ignore": _("Bank statement line ignored"),
    "gateway_account.create": _("Payment gateway added"), "gateway_account.update": _("Payment gateway changed"),
    "gateway_account.delete": _("Payment gateway removed"),
    "payment_attempt.resolve": _("Held payment resolved"),
    "payment_attempt.reversal": _("Refund or dispute at the payment gateway"),
    "user.create": _("User created"), "user.update": _("User changed"), "user.account": _("Account changed"),
    "user.language": _("Language changed"), "user.password_change": _("Password changed"),
    "user.set_password": _("Password set"), "user.password_reset_email": _("Password reset e-mail sent"),
    "user.verification_email": _("Verification e-mail sent"), "user.verify_email": _("E-mail address verified"),
    "user.2fa_on": _("Two-factor authentication turned on"),
    "user.2fa_off": _("Two-factor authentication turned off"),
    "user.2fa_reset": _("Two-factor authentication reset"),
    "user.2fa_recovery_code_used": _("Recovery code used"),
    "webhook.create": _("Webhook created"), "webhook.update": _("Webhook changed"),
    "webhook.delete": _("Webhook deleted"), "webhook.disable": _("Webhook disabled"),
    "webhook.replay": _("Webhook message sent again"), "webhook.rotate_secret": _("Webhook secret replaced"),
}
MODULE_ACTION_PREFIX = "service.action."


def audit_action_label(code: str) -> str:
    """An action in words (client_user.link: "User linked"), a module's action by its name, else the code."""
    if code in AUDIT_ACTIONS:
        return str(AUDIT_ACTIONS[code])
    if code.startswith(MODULE_ACTION_PREFIX):
        return gettext("Module action: %(action)s") % {"action": code.removeprefix(MODULE_ACTION_PREFIX)}
    return code
