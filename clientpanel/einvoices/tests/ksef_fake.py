"""A local fake of KSeF API 2.0 for the KSeF channel's tests: a real HTTP server on a free loopback
port, answering exactly the endpoints the online-session flow calls, with KSeF's JSON shapes.

It checks what KSeF checks, for real: it publishes two RSA public keys in self-signed certificates
(one for the KSeF token, one for the session's symmetric key) and decrypts with their private keys
what the client encrypts — the token (bound to the challenge's timestamp), the session's AES key,
then each invoice. A wrong token fails the authentication's status as KSeF's does (code 450); an
invoice's declared SHA-256 and size must match the decrypted file (else 430), the file must pass
the FA(3) XSD (else 450 with the first error), its seller's NIP (Podmiot1) must be the session's
context NIP (else 410), and a second file with the same seller NIP, number (P_2) and RodzajFaktury
is a duplicate (440) naming the original's KSeF number. Accepted files get a KSeF number in KSeF's
form (NIP-YYYYMMDD-12 hex-2 hex CRC-8) and a small UPO naming it.

Tests steer it through the `ksef_fake` fixture: `fail_next` (an HTTP error instead of the next
answers), `stall_next` (a slow answer), `reject_next` (KSeF's verdict on the next file),
`keep_processing` (status "processing" for a number of status calls), `hold_upo`,
`auth_pending_polls`; and read `invoices` (the decrypted files and their verdicts) and `requests`.

Where KSeF's exact words or shapes are not known, the fake chooses and says so beside the choice.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import secrets
import threading
import time
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.padding import PKCS7
from cryptography.x509.oid import NameOID
from lxml import etree

from clientpanel.einvoices.exporters.ksef_fa3 import KsefFa3Exporter
from clientpanel.einvoices.exporters.ksef_fa3_xml import NAMESPACE

WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")
FA3_FORM = {"systemCode": "FA (3)", "schemaVersion": "1-0E", "value": "FA"}
OAEP = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
PROCESSING_STATUS = {"code": 150, "description": "Trwa przetwarzanie"}
ACCEPTED_STATUS = {"code": 200, "description": "Sukces"}
# KSeF's published invoice status codes and descriptions; the details' wording is the fake's own.
PERMISSIONS_ERROR = (410, "Nieprawidłowy zakres uprawnień")
FILE_ERROR = (430, "Błąd weryfikacji pliku faktury")
DECRYPTION_ERROR = (435, "Błąd odszyfrowania pliku")
DUPLICATE_ERROR = (440, "Duplikat faktury")
SEMANTIC_ERROR = (450, "Błąd weryfikacji semantyki dokumentu faktury")


@cache
def _key_pairs() -> tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey]:
    """The token's and the symmetric key's RSA keys: made once per test run, since 2048-bit keys take a
    moment and nothing depends on them being fresh (each fake still makes its own certificates)."""
    return (rsa.generate_private_key(public_exponent=65537, key_size=2048),
            rsa.generate_private_key(public_exponent=65537, key_size=2048))


def _certificate(key: rsa.RSAPrivateKey, usage: str, now: dt.datetime) -> dict[str, Any]:
    """A self-signed certificate of `key` as KSeF lists it: DER in Base64, its validity and usage."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Fake KSeF {usage}")])
    valid_from, valid_to = now - dt.timedelta(days=1), now + dt.timedelta(days=365)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(valid_from)
                   .not_valid_after(valid_to).sign(key, hashes.SHA256()))
    return {"certificate": base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode(),
            "validFrom": valid_from.isoformat(), "validTo": valid_to.isoformat(), "usage": [usage]}


def _crc8(data: bytes) -> int:
    """CRC-8 (polynomial 0x07, initial 0), the check KSeF puts at the end of its numbers."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


def _reference(kind: str) -> str:
    """A reference number in KSeF's form: date, kind (AU, SO, EE), hex parts."""
    return (f"{dt.datetime.now(WARSAW):%Y%m%d}-{kind}-{secrets.token_hex(5).upper()}-"
            f"{secrets.token_hex(5).upper()}-{secrets.token_hex(1).upper()}")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def _sha256(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


@dataclass
class _Answer:
    status: int
    body: bytes = b""
    content_type: str = "application/json"


def _json(status: int, payload: object) -> _Answer:
    return _Answer(status, json.dumps(payload, ensure_ascii=False).encode())


def _exception(status: int, code: int, description: str, *details: str) -> _Answer:
    """KSeF's error answer for a request it will not take (its ExceptionResponse)."""
    return _json(status, {"exception": {
        "exceptionDetailList": [{"exceptionCode": code, "exceptionDescription": description,
                                 "details": list(details)}],
        "serviceCode": secrets.token_hex(8), "serviceName": "fake-ksef", "timestamp": _now()}})


def _problem(status: int, title: str, detail: str) -> _Answer:
    """KSeF's answer to a missing or wrong bearer token, or a forbidden context (problem details)."""
    answer = _json(status, {"title": title, "status": status, "detail": detail})
    answer.content_type = "application/problem+json"
    return answer


@dataclass
class _Auth:
    nip: str
    authentication_token: str
    succeeded: bool
    pending_polls: int
    redeemed: bool = False


@dataclass
class _Session:
    nip: str
    key: bytes
    iv: bytes
    closed: bool = False


@dataclass
class ReceivedInvoice:
    """A file KSeF took in a session, with the verdict the fake gave it when it came."""

    reference: str
    session_reference: str
    ordinal: int
    invoice_hash: str  # as the client declared it
    content: bytes  # decrypted; empty if it could not be
    status: dict[str, Any]  # the final status: code, description, details, extensions
    nip: str = ""
    invoice_number: str = ""  # P_2
    kind: str = ""  # RodzajFaktury
    ksef_number: str = ""
    processing_left: int = 0  # status calls still answered "processing"
    received_at: str = field(default_factory=_now)

    @property
    def accepted(self) -> bool:
        return self.status["code"] == ACCEPTED_STATUS["code"]


class KsefFake:
    """The fake's state and its answers; `url`, `token`, the steering helpers and what it received."""

    def __init__(self) -> None:
        self.token = (f"{dt.datetime.now(WARSAW):%Y%m%d}-EC-{secrets.token_hex(5).upper()}-"
                      f"{secrets.token_hex(5).upper()}-{secrets.token_hex(1).upper()}|{secrets.token_hex(32)}")
        self.url = ""
        self.auth_pending_polls = 0  # auth status answers "in progress" this many times before its verdict
        self.invoices: list[ReceivedInvoice] = []
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request, in order
        self._lock = threading.Lock()
        self._token_key, self._symmetric_key = _key_pairs()
        now = dt.datetime.now(dt.UTC)
        self._certificates = [_certificate(self._token_key, "KsefTokenEncryption", now),
                              _certificate(self._symmetric_key, "SymmetricKeyEncryption", now)]
        self._challenges: dict[str, int] = {}
        self._auths: dict[str, _Auth] = {}
        self._access_tokens: dict[str, str] = {}  # access token → context NIP
        self._sessions: dict[str, _Session] = {}
        self._failures: list[list[Any]] = []  # [status, times left, path fragment]
        self._stalls: list[list[Any]] = []  # [seconds, times left, path fragment]
        self._rejection: tuple[int, str, list[str]] | None = None
        self._processing_calls = 0
        self._upo_held = 0
        self._server: ThreadingHTTPServer | None = None

    # Steering, from the tests.

    def fail_next(self, status: int = 503, *, times: int = 1, path: str = "") -> None:
        """Answer `status` instead of the next `times` requests (whose path contains `path`)."""
        with self._lock:
            self._failures.append([status, times, path])

    def stall_next(self, seconds: float, *, times: int = 1, path: str = "") -> None:
        """Wait `seconds` before answering the next `times` requests (whose path contains `path`)."""
        with self._lock:
            self._stalls.append([seconds, times, path])

    def stall_for(self, path: str) -> float:
        with self._lock:
            stall = next((item for item in self._stalls if item[1] > 0 and item[2] in path), None)
            if stall is None:
                return 0.0
            stall[1] -= 1
            return stall[0]

    def reject_next(self, code: int = SEMANTIC_ERROR[0], description: str = SEMANTIC_ERROR[1],
                    details: list[str] | tuple[str, ...] = ()) -> None:
        """KSeF's verdict on the next file sent, whatever the file: a rejection with this code."""
        with self._lock:
            self._rejection = (code, description, list(details))

    def keep_processing(self, status_calls: int) -> None:
        """Files sent from now on are "processing" for this many status calls before their verdict."""
        with self._lock:
            self._processing_calls = status_calls

    def hold_upo(self, downloads: int) -> None:
        """The next `downloads` UPO downloads find none yet."""
        with self._lock:
            self._upo_held = downloads

    @property
    def accepted(self) -> list[ReceivedInvoice]:
        return [invoice for invoice in self.invoices if invoice.accepted]

    # The server.

    def start(self) -> None:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_port}/v2"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def answer(self, method: str, path: str, body: bytes, bearer: str) -> _Answer:
        with self._lock:
            self.requests.append((method, path))
            failure = next((item for item in self._failures if item[1] > 0 and item[2] in path), None)
            if failure is not None:
                failure[1] -= 1
                return self._failure(failure[0])
            for route_method, pattern, name in _ROUTES:
                match = pattern.fullmatch(path)
                if route_method == method and match:
                    try:
                        payload = json.loads(body) if body else {}
                    except ValueError:
                        return _exception(400, 21405, "Błąd walidacji danych wejściowych.", "Treść nie jest JSON.")
                    handle: Callable[..., _Answer] = getattr(self, name)
                    return handle(payload, bearer, **match.groupdict())
            return _problem(404, "Not Found", f"{method} {path}")

    @staticmethod
    def _failure(status: int) -> _Answer:
        if status >= 500:  # a gateway's page, not KSeF's JSON
            return _Answer(status, b"Service Unavailable", "text/plain")
        if status == 429:
            return _json(429, {"status": {"code": 429, "description": "Too Many Requests",
                                          "details": ["Przekroczono limit żądań."]}})
        return _problem(status, "Unauthorized" if status == 401 else "Forbidden" if status == 403 else "Error",
                        "Brak uprawnień do wykonania operacji.")

    # Authentication.

    def _public_key_certificates(self, payload: Any, bearer: str) -> _Answer:
        return _json(200, self._certificates)

    def _challenge(self, payload: Any, bearer: str) -> _Answer:
        now = dt.datetime.now(dt.UTC)
        challenge = f"{now:%Y%m%d}-CR-{secrets.token_hex(5).upper()}-{secrets.token_hex(5).upper()}-" \
                    f"{secrets.token_hex(1).upper()}"
        self._challenges[challenge] = int(now.timestamp() * 1000)
        return _json(200, {"challenge": challenge, "timestamp": now.isoformat(),
                           "timestampMs": self._challenges[challenge]})

    def _token_auth(self, payload: dict, bearer: str) -> _Answer:
        timestamp_ms = self._challenges.pop(str(payload.get("challenge")), None)
        context = payload.get("contextIdentifier") or {}
        if timestamp_ms is None:
            return _exception(400, 21401, "Nieprawidłowe wyzwanie autoryzacyjne.")
        if context.get("type") != "Nip" or not re.fullmatch(r"\d{10}", str(context.get("value"))):
            return _exception(400, 21405, "Błąd walidacji danych wejściowych.", "Nieprawidłowy kontekst.")
        try:
            plain = self._token_key.decrypt(base64.b64decode(payload.get("encryptedToken", "")), OAEP).decode()
        except ValueError:
            plain = ""
        # Checked when the client asks for the status, as KSeF does: the init only registers the attempt.
        reference, authentication_token = _reference("AU"), secrets.token_urlsafe(32)
        self._auths[reference] = _Auth(nip=context["value"], authentication_token=authentication_token,
                                       succeeded=plain == f"{self.token}|{timestamp_ms}",
                                       pending_polls=self.auth_pending_polls)
        return _json(202, {"referenceNumber": reference, "authenticationToken": {
            "token": authentication_token, "validUntil": (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=15))
            .isoformat()}})

    def _auth_status(self, payload: Any, bearer: str, reference: str) -> _Answer:
        auth = self._auths.get(reference)
        if auth is None or auth.authentication_token != bearer:
            return _problem(401, "Unauthorized", "Brak lub nieprawidłowy token uwierzytelniający.")
        answer: dict[str, Any] = {"startDate": _now(), "authenticationMethod": "Token"}
        if auth.pending_polls > 0:
            auth.pending_polls -= 1
            answer["status"] = {"code": 100, "description": "Uwierzytelnianie w toku"}
        elif auth.succeeded:
            answer["status"] = {"code": 200, "description": "Uwierzytelnianie zakończone sukcesem"}
        else:
            # The fake's wording; KSeF answers a wrong token with a failed status (4xx code), not an HTTP error.
            answer["status"] = {"code": 450, "description": "Uwierzytelnianie zakończone niepowodzeniem z powodu "
                                "błędnego tokenu", "details": ["Token KSeF jest nieprawidłowy albo unieważniony."]}
        return _json(200, answer)

    def _redeem(self, payload: Any, bearer: str) -> _Answer:
        auth = next((item for item in self._auths.values() if item.authentication_token == bearer), None)
        if auth is None:
            return _problem(401, "Unauthorized", "Brak lub nieprawidłowy token uwierzytelniający.")
        if not auth.succeeded or auth.pending_polls or auth.redeemed:
            return _exception(400, 21301, "Brak autoryzacji.", "Tokeny zostały już pobrane albo uwierzytelnianie "
                              "nie zakończyło się sukcesem.")
        auth.redeemed = True
        access_token = secrets.token_urlsafe(32)
        self._access_tokens[access_token] = auth.nip
        valid_until = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=15)).isoformat()
        return _json(200, {"accessToken": {"token": access_token, "validUntil": valid_until},
                           "refreshToken": {"token": secrets.token_urlsafe(32), "validUntil": valid_until}})

    # Online sessions.

    def _open_session(self, payload: dict, bearer: str) -> _Answer:
        nip = self._access_tokens.get(bearer)
        if nip is None:
            return _problem(401, "Unauthorized", "Brak lub nieprawidłowy token dostępowy.")
        if payload.get("formCode") != FA3_FORM:
            return _exception(400, 21405, "Błąd walidacji danych wejściowych.", "Nieobsługiwany kod formularza.")
        encryption = payload.get("encryption") or {}
        try:
            key = self._symmetric_key.decrypt(base64.b64decode(encryption.get("encryptedSymmetricKey", "")), OAEP)
            iv = base64.b64decode(encryption.get("initializationVector", ""))
        except ValueError:
            key = iv = b""
        if len(key) != 32 or len(iv) != 16:
            return _exception(400, 21405, "Błąd walidacji danych wejściowych.", "Nie udało się odszyfrować klucza.")
        reference = _reference("SO")
        self._sessions[reference] = _Session(nip=nip, key=key, iv=iv)
        valid_until = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=12)).isoformat()
        return _json(201, {"referenceNumber": reference, "validUntil": valid_until})

    def _close_session(self, payload: Any, bearer: str, session: str) -> _Answer:
        found = self._sessions.get(session)
        if found is None or self._access_tokens.get(bearer) != found.nip:
            return _problem(401, "Unauthorized", "Brak lub nieprawidłowy token dostępowy.")
        found.closed = True
        return _Answer(204)

    def _send_invoice(self, payload: dict, bearer: str, session: str) -> _Answer:
        found = self._sessions.get(session)
        if found is None or self._access_tokens.get(bearer) != found.nip:
            return _problem(401, "Unauthorized", "Brak lub nieprawidłowy token dostępowy.")
        if found.closed:
            return _exception(400, 21180, "Sesja jest zamknięta.")
        try:
            encrypted = base64.b64decode(payload["encryptedInvoiceContent"], validate=True)
            declared = (str(payload["invoiceHash"]), int(payload["invoiceSize"]),
                        str(payload["encryptedInvoiceHash"]), int(payload["encryptedInvoiceSize"]))
        except (KeyError, TypeError, ValueError):
            return _exception(400, 21405, "Błąd walidacji danych wejściowych.", "Niekompletne żądanie wysyłki.")
        invoice = ReceivedInvoice(reference=_reference("EE"), session_reference=session,
                                  ordinal=len(self.invoices) + 1, invoice_hash=declared[0], content=b"",
                                  status=dict(ACCEPTED_STATUS), processing_left=self._processing_calls)
        invoice.status = self._verdict(invoice, encrypted, declared, found)
        self.invoices.append(invoice)
        return _json(202, {"referenceNumber": invoice.reference})

    def _verdict(self, invoice: ReceivedInvoice, encrypted: bytes, declared: tuple[str, int, str, int],
                 session: _Session) -> dict[str, Any]:
        """KSeF's verdict on a file, given when it comes (and told after `keep_processing` calls)."""
        if (_sha256(encrypted), len(encrypted)) != declared[2:]:
            return _status(FILE_ERROR, "Skrót lub rozmiar zaszyfrowanego pliku nie zgadza się z deklarowanym.")
        try:
            decryptor = Cipher(algorithms.AES(session.key), modes.CBC(session.iv)).decryptor()
            unpadder = PKCS7(128).unpadder()
            invoice.content = unpadder.update(decryptor.update(encrypted) + decryptor.finalize()) + unpadder.finalize()
        except ValueError:
            return _status(DECRYPTION_ERROR, "Nie udało się odszyfrować pliku kluczem sesji.")
        if self._rejection is not None:
            code, description, details = self._rejection
            self._rejection = None
            return {"code": code, "description": description, "details": details}
        if (_sha256(invoice.content), len(invoice.content)) != declared[:2]:
            return _status(FILE_ERROR, "Skrót lub rozmiar faktury nie zgadza się z deklarowanym.")
        errors = KsefFa3Exporter().validate(invoice.content)
        if errors:
            return _status(SEMANTIC_ERROR, errors[0])
        root = etree.fromstring(invoice.content, etree.XMLParser(resolve_entities=False, no_network=True))
        namespaces = {"fa": NAMESPACE}
        invoice.nip = root.findtext("fa:Podmiot1/fa:DaneIdentyfikacyjne/fa:NIP", "", namespaces)
        invoice.invoice_number = root.findtext("fa:Fa/fa:P_2", "", namespaces)
        invoice.kind = root.findtext("fa:Fa/fa:RodzajFaktury", "", namespaces)
        if invoice.nip != session.nip:
            return _status(PERMISSIONS_ERROR, f"Sprzedawca faktury ({invoice.nip}) nie jest podmiotem kontekstu "
                                              f"sesji ({session.nip}).")
        same = (invoice.nip, invoice.invoice_number, invoice.kind)
        original = next((earlier for earlier in self.accepted
                         if (earlier.nip, earlier.invoice_number, earlier.kind) == same), None)
        if original is not None:
            # What KSeF's 440 carries about the original is not published in full: public clients read
            # `extensions.originalKsefNumber` (and the session's reference) and the details name the
            # number too. The fake gives both; the channel reads either.
            status = _status(DUPLICATE_ERROR, f"Faktura o numerze KSeF {original.ksef_number} została już "
                                              f"przyjęta w sesji {original.session_reference}.")
            status["extensions"] = {"originalKsefNumber": original.ksef_number,
                                    "originalSessionReferenceNumber": original.session_reference}
            return status
        stem = f"{invoice.nip}-{dt.datetime.now(WARSAW):%Y%m%d}-{secrets.token_hex(6).upper()}"
        invoice.ksef_number = f"{stem}-{_crc8(stem.encode()):02X}"
        return dict(ACCEPTED_STATUS)

    def _invoice_status(self, payload: Any, bearer: str, session: str, invoice: str) -> _Answer:
        found = self._found(bearer, session, invoice)
        if isinstance(found, _Answer):
            return found
        answer: dict[str, Any] = {"ordinalNumber": found.ordinal, "referenceNumber": found.reference,
                                  "invoiceHash": found.invoice_hash, "invoicingDate": found.received_at}
        if found.processing_left > 0:
            found.processing_left -= 1
            return _json(200, {**answer, "status": dict(PROCESSING_STATUS)})
        answer["status"] = found.status
        if found.accepted:
            answer.update(ksefNumber=found.ksef_number, invoiceNumber=found.invoice_number,
                          acquisitionDate=found.received_at, permanentStorageDate=found.received_at,
                          invoicingMode="Online")
        return _json(200, answer)

    def _upo(self, payload: Any, bearer: str, session: str, invoice: str) -> _Answer:
        found = self._found(bearer, session, invoice)
        if isinstance(found, _Answer):
            return found
        if not found.accepted or found.processing_left > 0 or self._upo_held > 0:
            self._upo_held = max(0, self._upo_held - 1)
            return _exception(404, 21178, "Nie znaleziono UPO dla podanych kryteriów.")
        # Not the UPO schema: a small receipt naming what the tests look for.
        upo = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Potwierdzenie xmlns="http://upo.schematy.mf.gov.pl/KSeF/v4-2">'
               f"<NumerReferencyjnySesji>{found.session_reference}</NumerReferencyjnySesji><Dokument>"
               f"<NipSprzedawcy>{found.nip}</NipSprzedawcy><NumerKSeFDokumentu>{found.ksef_number}"
               f"</NumerKSeFDokumentu><NumerFaktury>{found.invoice_number}</NumerFaktury>"
               f"<SkrotDokumentu>{found.invoice_hash}</SkrotDokumentu></Dokument></Potwierdzenie>")
        return _Answer(200, upo.encode(), "application/xml")

    def _found(self, bearer: str, session: str, invoice: str) -> ReceivedInvoice | _Answer:
        """The invoice asked about, for an access token of the session's context (any later one: the
        status is asked in new authentications, after the session is closed)."""
        found = self._sessions.get(session)
        nip = self._access_tokens.get(bearer)
        if nip is None:
            return _problem(401, "Unauthorized", "Brak lub nieprawidłowy token dostępowy.")
        if found is None or found.nip != nip:
            return _problem(403, "Forbidden", "Brak dostępu do sesji.")
        received = next((item for item in self.invoices if item.reference == invoice
                         and item.session_reference == session), None)
        return received or _exception(404, 21404, "Nie znaleziono faktury o podanym numerze referencyjnym.")


def _status(error: tuple[int, str], detail: str) -> dict[str, Any]:
    return {"code": error[0], "description": error[1], "details": [detail]}


_ROUTES = [(method, re.compile(pattern), name) for method, pattern, name in (
    ("GET", r"/v2/security/public-key-certificates", "_public_key_certificates"),
    ("POST", r"/v2/auth/challenge", "_challenge"),
    ("POST", r"/v2/auth/ksef-token", "_token_auth"),
    ("POST", r"/v2/auth/token/redeem", "_redeem"),
    ("GET", r"/v2/auth/(?P<reference>[^/]+)", "_auth_status"),
    ("POST", r"/v2/sessions/online", "_open_session"),
    ("POST", r"/v2/sessions/online/(?P<session>[^/]+)/invoices", "_send_invoice"),
    ("POST", r"/v2/sessions/online/(?P<session>[^/]+)/close", "_close_session"),
    ("GET", r"/v2/sessions/(?P<session>[^/]+)/invoices/(?P<invoice>[^/]+)/upo", "_upo"),
    ("GET", r"/v2/sessions/(?P<session>[^/]+)/invoices/(?P<invoice>[^/]+)", "_invoice_status"),
)]


class _Handler(BaseHTTPRequestHandler):
    fake: KsefFake
    protocol_version = "HTTP/1.1"  # keep-alive, as the SDK's client expects of KSeF
    disable_nagle_algorithm = True  # headers and body go out in two writes: no delayed-ACK stall between them

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        # The body is read whatever the answer, so a kept-alive connection stays in step.
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        bearer = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        path = urlsplit(self.path).path
        time.sleep(self.fake.stall_for(path))  # outside the fake's lock: other requests are answered meanwhile
        answer = self.fake.answer(method, path, body, bearer)
        self.send_response(answer.status)
        if answer.status != 204:  # "No Content" has neither a body nor its headers
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)

    def log_message(self, *args: object) -> None:
        """Quiet: the test output is for the tests."""


@pytest.fixture(name="ksef_fake")
def ksef_fake_fixture() -> Iterator[KsefFake]:
    fake = KsefFake()
    fake.start()
    yield fake
    fake.stop()
