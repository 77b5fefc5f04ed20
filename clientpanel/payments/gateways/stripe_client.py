"""Talking to Stripe (stripe_gateway.py): an account's settings checked and read — secrets from the
environment only, `api_base` on loopback only — the SDK's client with a short timeout, Stripe's
errors in words for payer and staff, and the ids Stripe sends either as strings or as objects."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import stripe
from django.utils.translation import gettext as _

from . import GatewayError
from .settings_checks import secret_looking

TIMEOUT_SECONDS = 10  # a payer waits on the page: Stripe answers in well under a second
NETWORK_RETRIES = 1  # the SDK retries a request only with the same idempotency key: never twice charged
HOSTED, TEST_CARDS = "stripe", "test_cards"  # the `checkout` setting: Stripe's own page, or ours with test cards
SETTINGS = {"secret_key_env", "webhook_secret_env", "api_base", "checkout"}

ISSUED = {"secret_key_env": ("sk_", "rk_"), "webhook_secret_env": ("whsec_",)}  # what each variable holds
ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]{0,99}$")
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def is_live_key(key: str) -> bool:
    return key.startswith(("sk_live_", "rk_live_"))


def masked(secret: str) -> str:
    """What a page may show of a secret: its last four characters."""
    return f"…{secret[-4:]}" if len(secret) > 8 else "…"


def settings_errors(settings: Mapping[str, Any]) -> dict[str, list[str]]:
    """Field errors of a home company's Stripe settings ({} when fine): StripeGateway.validate_settings."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if secret_looking(settings):
        add("settings", _("A Stripe secret must never be stored here: put it in the server's environment and "
                          "name the variable."))
        return errors
    for name in sorted(set(settings) - SETTINGS):
        add(name, _("Stripe has no setting named %(name)s.") % {"name": name})
    for name in ("secret_key_env", "webhook_secret_env"):
        variable = settings.get(name)
        if not isinstance(variable, str) or not ENV_NAME.match(variable):
            add(name, _("Name the environment variable holding it, in capitals (e.g. STRIPE_SECRET_KEY)."))
        elif not os.environ.get(variable):
            add(name, _("The environment variable %(name)s is not set on this server.") % {"name": variable})
        elif not os.environ[variable].startswith(ISSUED[name]):
            # Only what Stripe issues: a variable everybody knows (LANG…) would sign forged events.
            add(name, _("The environment variable %(name)s does not hold a Stripe secret key (sk_… or rk_…).")
                % {"name": variable} if name == "secret_key_env" else
                _("The environment variable %(name)s does not hold a Stripe webhook signing secret (whsec_…).")
                % {"name": variable})
    api_base = settings.get("api_base") or ""
    if api_base and (not isinstance(api_base, str) or urlsplit(api_base).scheme not in ("http", "https")
                     or urlsplit(api_base).hostname not in LOOPBACK_HOSTS):
        add("api_base", _("Only a Stripe emulator on this machine (http://127.0.0.1:…) may replace Stripe's "
                          "address."))
    checkout = settings.get("checkout") or (TEST_CARDS if api_base else HOSTED)
    if checkout not in (HOSTED, TEST_CARDS):
        add("checkout", _("Choose stripe (Stripe's payment page) or test_cards."))
    elif checkout == TEST_CARDS:
        key = os.environ.get(str(settings.get("secret_key_env") or ""), "")
        if is_live_key(key):
            add("checkout", _("The test cards page takes test keys only."))
    elif api_base:
        add("checkout", _("A Stripe emulator has no payment page: use test_cards with it."))
    return errors


class StripeConfig:
    """An account's Stripe settings, checked, with the secrets they name read from the environment."""

    def __init__(self, settings: Mapping[str, Any]):
        errors = settings_errors(settings)
        if errors:
            raise GatewayError(_("Stripe is not set up correctly: %(errors)s") % {
                "errors": " ".join(m for messages in errors.values() for m in messages)})
        self.secret_key = os.environ[settings["secret_key_env"]]
        self.webhook_secret = os.environ[settings["webhook_secret_env"]]
        self.api_base = str(settings.get("api_base") or "")
        self.checkout = str(settings.get("checkout") or (TEST_CARDS if self.api_base else HOSTED))

    def client(self) -> stripe.StripeClient:
        return stripe.StripeClient(
            self.secret_key, base_addresses={"api": self.api_base} if self.api_base else None,
            max_network_retries=NETWORK_RETRIES, http_client=http_client())


def http_client() -> stripe.HTTPClient:
    """The SDK's HTTP client with a short timeout (tests replace this to answer without a network)."""
    return stripe.RequestsClient(timeout=TIMEOUT_SECONDS)


def gateway_error(error: stripe.StripeError) -> GatewayError:
    """A Stripe error in words for the payer (a declined card) or for staff (keys, set-up)."""
    if isinstance(error, stripe.CardError):
        return GatewayError(_("The card was declined: %(reason)s") % {
            "reason": error.user_message or _("no reason given")})
    if isinstance(error, stripe.AuthenticationError | stripe.PermissionError):
        return GatewayError(_("Stripe refused this shop's key; staff must check the Stripe settings."))
    if isinstance(error, stripe.APIConnectionError):
        return GatewayError(_("Stripe did not answer in time; try again in a few minutes."))
    return GatewayError(_("Stripe refused the request: %(reason)s") % {
        "reason": error.user_message or error.code or type(error).__name__})


def stripe_id(value: Any) -> str:
    """An id Stripe sends either as a string or as the expanded object (localstripe expands)."""
    if isinstance(value, Mapping):
        value = value.get("id")
    elif isinstance(value, stripe.StripeObject):  # the SDK's answer
        value = getattr(value, "id", None)
    return str(value or "")[:100]
