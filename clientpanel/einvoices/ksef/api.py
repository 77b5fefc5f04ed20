"""The KSeF API 2.0 channel, spoken through the `ksef-client` SDK.

One call of `send` is KSeF's whole online-session flow: authenticate with the company's KSeF token
(the context is the seller's NIP), open an online session for FA(3) with a fresh symmetric key
(encrypted with KSeF's public key, as the SDK does), send the encrypted file, close the session.
`status` authenticates again and reads the invoice's status in its session, then the KSeF number
and the UPO once KSeF accepted it. Authentication is per call on purpose: the job calls rarely, and
caching access tokens across calls is a later concern.

Nothing retries here: an unreachable KSeF is `KsefUnavailable` at once and the job decides when to
try again. The token goes to KSeF only (or to a KSeF emulator on this machine): any other address
is refused before a client is made, and no message of ours ever carries it.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from django.utils.translation import gettext as _
from ksef_client.client import KsefClient
from ksef_client.config import KsefClientOptions, KsefEnvironment
from ksef_client.exceptions import KsefHttpError, KsefRateLimitError
from ksef_client.models import FormCode, PublicKeyCertificateUsage, StatusInfo
from ksef_client.services.workflows import AuthCoordinator, OnlineSessionWorkflow

from ..reasons import said
from . import ACCEPTED, DUPLICATE, PROCESSING, REJECTED, KsefChannel, KsefRefused, KsefUnavailable, SendStatus, Sent

log = logging.getLogger(__name__)

API_PATH = "/v2"
KSEF_URLS = {
    "test": KsefEnvironment.TEST.value + API_PATH,
    "demo": KsefEnvironment.DEMO.value + API_PATH,
    "production": KsefEnvironment.PROD.value + API_PATH,
}
# The FA(3) form as KSeF names it when a session is opened (the schema the exporter writes).
FA3_FORM = FormCode(system_code="FA (3)", schema_version="1-0E", value="FA")

# KSeF's invoice status codes: 1xx still being checked, 200 accepted, 440 a duplicate of an invoice
# KSeF has already (same seller NIP, number P_2 and RodzajFaktury); every other code is final.
STATUS_ACCEPTED = 200
STATUS_DUPLICATE = 440
KSEF_NUMBER = re.compile(r"\b\d{10}-\d{8}-[0-9A-F]{12}-[0-9A-F]{2}\b")

# "localhost" is loopback by definition (RFC 6761); other names could resolve anywhere.
_LOOPBACK_NAMES = frozenset({"localhost"})


def checked_base_url(base_url: str) -> str:
    """`base_url` with the API path, if it is one of KSeF's environments or a loopback address
    (a KSeF emulator on this machine); ValueError otherwise, so the token never goes elsewhere."""
    url = KsefClientOptions(base_url=base_url.strip()).normalized_base_url()
    if url in KSEF_URLS.values():
        return url
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        loopback = host in _LOOPBACK_NAMES or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if parts.scheme in ("http", "https") and loopback and not (parts.username or parts.password or parts.query):
        return url
    # The address itself stays out of the message: it may carry credentials in its user part.
    raise ValueError(_("The KSeF address must be one of KSeF's own (%(allowed)s) or a loopback address.")
                     % {"allowed": ", ".join(KSEF_URLS.values())})


class KsefApiChannel(KsefChannel):
    timeout_seconds = 10.0  # per HTTP request; a slow KSeF is an unreachable one, tried again later
    # KSeF authenticates asynchronously and the SDK asks until it is done: briefly here (2 s at most), since
    # the job must not sleep; an authentication not done by then is KsefUnavailable, tried again later.
    auth_poll_interval = 0.2
    auth_poll_attempts = 10

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = checked_base_url(base_url)
        self._token = token

    def __repr__(self) -> str:
        return f"KsefApiChannel({self.base_url!r})"  # never the token

    def send(self, content: bytes, *, seller_nip: str) -> Sent:
        with self._client() as client, self._translated_errors():
            access_token = self._authenticate(client, seller_nip)
            key_certificate = client.security.get_public_key_certificate(
                PublicKeyCertificateUsage.SYMMETRICKEYENCRYPTION)
            workflow = OnlineSessionWorkflow(client.sessions)
            session = workflow.open_session(form_code=FA3_FORM, public_certificate=key_certificate.certificate,
                                            public_key_id=key_certificate.public_key_id, access_token=access_token)
            try:
                answer = workflow.send_invoice(session_reference_number=session.reference_number, invoice_xml=content,
                                               encryption_data=session.encryption_data, access_token=access_token)
            finally:
                # Closed whether or not the file went: an open session is KSeF's to expire, never an error of
                # the send (KSeF checks a handed-over file whatever becomes of its session).
                self._close_quietly(workflow, session.reference_number, access_token)
            return Sent(session_reference=session.reference_number, invoice_reference=answer.reference_number)

    def status(self, sent: Sent, *, seller_nip: str) -> SendStatus:
        with self._client() as client, self._translated_errors():
            access_token = self._authenticate(client, seller_nip)
            answer = client.sessions.get_session_invoice_status(sent.session_reference, sent.invoice_reference,
                                                                access_token=access_token)
            code, ksef_number = answer.status.code, answer.ksef_number or ""
            if code == STATUS_ACCEPTED and ksef_number:
                return SendStatus(ACCEPTED, ksef_number=ksef_number, upo=self._upo(client, sent, access_token))
            if 100 <= code <= STATUS_ACCEPTED:
                return SendStatus(PROCESSING)  # 200 without its number yet counts as not finished
            reason = _status_text(code, answer.status.description, answer.status.details)
            if code == STATUS_DUPLICATE:
                return SendStatus(DUPLICATE, ksef_number=_original_number(answer.status), error=reason)
            return SendStatus(REJECTED, error=reason)

    # The flow's steps.

    def _client(self) -> KsefClient:
        return KsefClient(KsefClientOptions(base_url=self.base_url, timeout_seconds=self.timeout_seconds))

    def _authenticate(self, client: KsefClient, seller_nip: str) -> str:
        certificate = client.security.get_public_key_certificate(PublicKeyCertificateUsage.KSEFTOKENENCRYPTION)
        try:
            result = AuthCoordinator(client.auth).authenticate_with_ksef_token(
                token=self._token, public_certificate=certificate.certificate,
                public_key_id=certificate.public_key_id, context_identifier_type="nip",
                context_identifier_value=seller_nip, poll_interval_seconds=self.auth_poll_interval,
                max_attempts=self.auth_poll_attempts)
        except TimeoutError:
            raise KsefUnavailable(said("auth_timeout")) from None
        except RuntimeError as error:
            # KSeF's failed authentication status, in the SDK's "Authentication failed: code description Details: …".
            reason = str(error).removeprefix("Authentication failed: ")
            raise KsefRefused(said("auth_refused", reason=self._scrubbed(reason))) from None
        return result.access_token

    def _upo(self, client: KsefClient, sent: Sent, access_token: str) -> bytes:
        """KSeF's receipt of an accepted invoice, or empty bytes while KSeF has none yet (it may come
        after the invoice's number): the acceptance is what counts, the UPO is asked for again later."""
        try:
            return client.sessions.get_session_invoice_upo_by_ref(sent.session_reference, sent.invoice_reference,
                                                                  access_token=access_token)
        except KsefHttpError as error:
            log.info("KSeF has no UPO for invoice %s yet (HTTP %s)", sent.invoice_reference, error.status_code)
            return b""

    @staticmethod
    def _close_quietly(workflow: OnlineSessionWorkflow, reference: str, access_token: str) -> None:
        try:
            workflow.close_session(reference, access_token)
        except KsefHttpError as error:
            log.warning("closing KSeF session %s failed (HTTP %s)", reference, error.status_code)

    # KSeF's answers in the interface's terms.

    @contextlib.contextmanager
    def _translated_errors(self) -> Iterator[None]:
        try:
            yield
        except KsefRateLimitError:
            raise KsefUnavailable(said("busy")) from None
        except KsefHttpError as error:
            raise self._translated(error) from None
        except (ValueError, TypeError, KeyError) as error:
            # A certificate missing from KSeF's list, an answer not shaped as the API says: KSeF's
            # side, and nothing of ours to correct. Only the kind goes into the message.
            raise KsefUnavailable(said("unreadable", error=type(error).__name__)) from None

    def _translated(self, error: KsefHttpError) -> Exception:
        status = error.status_code
        if status == 0:  # no answer at all: the SDK's wrapping of a network error or a timeout
            kind = type(error.__cause__ or error).__name__  # httpx's ConnectError, ReadTimeout…: no address, no secret
            return KsefUnavailable(said("no_answer", error=kind))
        if status >= 500 or status < 400:  # server errors, and a 2xx/3xx the SDK could not read
            return KsefUnavailable(said("unavailable", status=status))
        # 401/403 (the token, permissions) and every other 4xx: KSeF refuses the request as we make it,
        # and sending it again unchanged would only be refused again.
        reason = _problem_text(error.response_body) or str(error.message)[:300]
        return KsefRefused(said("request_refused", status=status, reason=self._scrubbed(reason)))

    def _scrubbed(self, text: str) -> str:
        """KSeF's words as they are, but never the token, should an answer ever echo it."""
        return text.replace(self._token, "***") if self._token else text


def _status_text(code: int, description: str, details: list[str] | None) -> str:
    text = f"{code}: {description}"
    return f"{text} ({'; '.join(details)})" if details else text


def _original_number(status: StatusInfo) -> str:
    """The KSeF number of the invoice a duplicate repeats: from the status's extensions when KSeF
    names it there, else from its details' text, else unknown ("")."""
    named = (status.extensions or {}).get("originalKsefNumber")
    if isinstance(named, str) and KSEF_NUMBER.fullmatch(named):
        return named
    found = KSEF_NUMBER.search(" ".join(status.details or []))
    return found.group(0) if found else ""


def _problem_text(body: Any) -> str:
    """KSeF's own message from an error answer: its exception list (code, description, details),
    or a problem's detail or title."""
    if not isinstance(body, dict):
        return ""
    exception = body.get("exception")
    if isinstance(exception, dict):
        parts = []
        for item in exception.get("exceptionDetailList") or []:
            if isinstance(item, dict):
                details = [str(detail) for detail in item.get("details") or []]
                parts.append(_status_text(item.get("exceptionCode", 0), str(item.get("exceptionDescription", "")),
                                          details))
        if parts:
            return "; ".join(parts)
    return str(body.get("detail") or body.get("title") or "")
