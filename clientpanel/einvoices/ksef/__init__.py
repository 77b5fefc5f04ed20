"""Sending FA(3) files to KSeF (issue 16): a small interface the sending job talks to, so that the
job's bookkeeping (what is due, retries, what KSeF said) never depends on KSeF's wire protocol.
`api.KsefApiChannel` speaks KSeF API 2.0 through the `ksef-client` SDK; the tests run it against a
local fake KSeF server.

A send is two steps, as KSeF works: `send` hands the file over and answers KSeF's references for
it (KSeF checks it afterwards, asynchronously); `status` asks what became of it — still processing,
accepted with its KSeF number (and the UPO, KSeF's official receipt), or rejected with KSeF's reason.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

PROCESSING, ACCEPTED, REJECTED, DUPLICATE = "PROCESSING", "ACCEPTED", "REJECTED", "DUPLICATE"


class KsefUnavailable(Exception):
    """KSeF could not be reached or answered with a server error or a rate limit: try again later.
    Nothing is known to have been received."""


class KsefRefused(Exception):
    """KSeF refused us as a client (a wrong or expired token, missing permissions to issue invoices
    for this NIP): nothing will change until staff put the setting right. The message is KSeF's."""


@dataclass(frozen=True)
class Sent:
    """KSeF's references of a handed-over file: the session it was sent in and the invoice's own."""

    session_reference: str
    invoice_reference: str


@dataclass(frozen=True)
class SendStatus:
    state: str  # PROCESSING, ACCEPTED, REJECTED or DUPLICATE
    ksef_number: str = ""  # ACCEPTED (and DUPLICATE when KSeF names the original)
    upo: bytes = b""  # ACCEPTED: KSeF's official receipt (UPO, XML), when already available
    error: str = ""  # REJECTED / DUPLICATE: KSeF's code and reason, in its words


class KsefChannel(ABC):
    @abstractmethod
    def send(self, content: bytes, *, seller_nip: str) -> Sent:
        """Hand one FA(3) file over to KSeF on behalf of the seller (its 10-digit NIP). Raises
        KsefUnavailable or KsefRefused."""

    @abstractmethod
    def status(self, sent: Sent, *, seller_nip: str) -> SendStatus:
        """What became of a file handed over. Raises KsefUnavailable or KsefRefused."""
