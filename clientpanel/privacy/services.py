"""Erasing a client's personal data on request (issue 14, privacy; GDPR art. 17) while keeping what
tax law requires: issued documents keep their snapshots (names and addresses as invoiced), the
ledger keeps its entries, the audit trail keeps who did what and when. Refused while money is owed
either way (a balance other than zero, an unpaid document) or a service still runs. An erased client
stays closed: its status is not changed back to one that takes new business
(clients.services.status.refuse_reopening_erased)."""

from __future__ import annotations

from functools import partial

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.accounts.models import User
from clientpanel.audit.models import AuditEvent
from clientpanel.audit.services import audit_record, diff, snapshot
from clientpanel.client_services.models import Service, ServiceStatus
from clientpanel.clients.events import ClientUpdated
from clientpanel.clients.models import Address, Client, ClientStatus, ClientUser, ViesStatus
from clientpanel.clients.selectors import ERASE_ACTION, client_erased
from clientpanel.clients.services import search_text_of
from clientpanel.clients.services.clients import lock_client
from clientpanel.core.errors import Conflict, FieldErrors, require
from clientpanel.core.events import publish
from clientpanel.files.models import ClientFile
from clientpanel.files.storage import stored_file_remove
from clientpanel.invoicing.models import Document, DocumentStatus
from clientpanel.notifications.models import EmailMessage
from clientpanel.webhooks.models import WebhookMessage

from . import policies
from .selectors import client_data_export

ERASED_DOMAIN = "erased.invalid"  # RFC 2606: never a real address
ENDED = (ServiceStatus.TERMINATED, ServiceStatus.CANCELLED)
ERASED = "Erased"


def erased_name(client: Client) -> str:
    return f"Erased client {client.number}"


def is_erased(client: Client) -> bool:
    """Whether the client was erased: by the erasure's audit event, never deleted — the names it left
    are no proof, as any later edit of the client (its status too) makes its display name again."""
    return client_erased(client.pk)


def client_erase(*, actor: ActorLike, client_id, confirm: object) -> Client:
    """Pseudonymise the client, its addresses and the users that belong to it alone; remove its
    files; empty its e-mails and its webhook messages' bodies; keep only who did what and when of
    its activity. `confirm` must be the client's number. One transaction, audited, and published as
    the client.updated a client edit publishes (GDPR art. 19: the recipients of the data — webhook
    endpoints — are told, and their copy of the client is replaced by the erased one)."""
    actor = as_actor(actor)
    require(policies.can_erase_client_data(actor), _("You are not allowed to erase client data."))
    with transaction.atomic():
        # With its balance row: no post can move the balance between the check that it is zero
        # and the erasure.
        client = lock_client(client_id, actor, balance=True)
        errors = FieldErrors()
        if str(confirm or "").strip() != client.number:
            errors.add("confirm", _("Type the client number, %(number)s, to confirm.") % {"number": client.number})
        errors.raise_if_any()
        _refuse_unless_settled(client)
        before = snapshot(client)
        users = _users_of_this_client_alone(client)
        for user in users:
            user.email = f"erased-{user.pk.hex}@{ERASED_DOMAIN}"
            user.firstname = user.lastname = user.phone = user.totp_secret = ""
            user.recovery_codes, user.totp_confirmed_at, user.totp_last_step = [], None, None
            user.email_verified = user.is_active = False
            user.password = make_password(None)
            user.save()
        ClientUser.objects.filter(client=client).exclude(user_id__in=[u.pk for u in users] + [client.owner_id]).delete()
        Address.objects.filter(client=client).update(
            name=ERASED, contact_name="", phone="", email="", address1="", address2="", city="", postcode="",
            region="", notes="")
        # A client always has names (a database rule): "Erased" and its number stand in for them.
        client.firstname, client.lastname = ERASED, client.number
        client.company_name = client.id_number = client.tax_id = ""
        client.phone = client.admin_notes = client.public_notes = client.billing_city = ""
        # As client_update does when the tax ID changes: no VIES answer about a number it has not.
        client.vies_status, client.vies_checked_at, client.vies_error = ViesStatus.UNCHECKED, None, ""
        client.display_name = erased_name(client)
        client.status = ClientStatus.CLOSED
        client.search_text = search_text_of(client, "")
        client.save()
        files = list(ClientFile.objects.filter(client=client).values_list("storage_name", flat=True))
        ClientFile.objects.filter(client=client).delete()
        EmailMessage.objects.filter(client_id=client.pk).update(
            recipient=f"erased@{ERASED_DOMAIN}", subject="(erased)", body_text="", body_html="", links={})
        WebhookMessage.objects.filter(ordering_key=str(client.pk)).update(body='{"erased": true}')
        AuditEvent.objects.filter(client_id=client.pk).update(changes={}, object_label=client.number)
        audit_record(action=ERASE_ACTION, target=client, client_id=client.pk, object_label=client.number,
                     changes={"personal_data": ["kept", "erased"]})
        # After the old messages' bodies were replaced: this one carries the erased client.
        fields = set(diff(before, snapshot(client))) | {"addresses"}
        if client.owner_id in {user.pk for user in users}:
            fields.add("owner")
        publish(ClientUpdated(client_id=client.pk, fields=tuple(sorted(fields))))
        for name in files:
            transaction.on_commit(partial(stored_file_remove, name))
    return client


def _refuse_unless_settled(client: Client) -> None:
    if is_erased(client):
        raise Conflict(_("This client's personal data is erased already."), code="already_erased")
    if client.balance != 0:
        raise Conflict(_("The balance is %(balance)s %(currency)s: settle or refund it first (nothing may be owed "
                         "either way).") % {"balance": client.balance, "currency": client.currency},
                       code="balance_not_zero")
    if Document.objects.filter(client=client, status=DocumentStatus.UNPAID).exists():
        raise Conflict(_("The client has unpaid documents: cancel or settle them first."), code="unpaid_documents")
    if Service.objects.filter(client=client).exclude(status__in=ENDED).exists():
        raise Conflict(_("The client has services that are not terminated or cancelled: end them first."),
                       code="services_running")


def _users_of_this_client_alone(client: Client) -> list[User]:
    """The client's users (its owner and linked users) that no other client has and that are not
    staff: they are the client's own people. A user of several clients keeps its account (and is
    unlinked from this one, unless it is its owner)."""
    user_ids = set(ClientUser.objects.filter(client=client).values_list("user_id", flat=True)) | {client.owner_id}
    elsewhere = set(ClientUser.objects.filter(user_id__in=user_ids).exclude(client=client)
                    .values_list("user_id", flat=True))
    elsewhere |= set(Client.objects.filter(owner_id__in=user_ids).exclude(pk=client.pk)
                     .values_list("owner_id", flat=True))
    return list(User.objects.filter(pk__in=user_ids - elsewhere, is_staff=False))


def client_data_export_record(*, actor: ActorLike, client_id) -> tuple[Client, bytes]:
    """privacy.selectors.client_data_export, with an audit event saying who took the data."""
    client, content = client_data_export(actor=actor, client_id=client_id)
    audit_record(action="client.export_data", target=client, client_id=client.pk, object_label=client.number,
                 changes={"bytes": [None, len(content)]})
    return client, content
