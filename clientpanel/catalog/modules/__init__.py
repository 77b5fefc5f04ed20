"""Provisioning modules (SPEC §9): one small interface, a registry by name.

A module creates, suspends, unsuspends and terminates what a service stands for (a VPS, an
account…) and may declare extra product actions shown on the service page. It raises ModuleError
with a message for staff when something fails; the runner adds a timeout, so a hanging module
never holds up the panel.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

from django.utils.translation import gettext as _

from clientpanel.core.registry import Registry


class ModuleError(Exception):
    """A provisioning failure with a message for staff (shown as the service's last error)."""


@dataclass
class ModuleContext:
    service_id: str
    label: str
    client_id: str
    product_key: str
    settings: dict[str, Any]


class ProvisioningModule(ABC):
    name: ClassVar[str] = ""
    # Shown to staff: gettext_lazy in a subclass, so each reader gets its own language.
    title: ClassVar[str] = ""
    # Extra actions staff can run on a service: {"reboot": gettext_lazy("Reboot")}.
    actions: ClassVar[dict[str, str]] = {}

    def validate_settings(self, settings: dict[str, Any]) -> dict[str, list[str]]:
        """Field errors of the product's module settings ({} when they are fine)."""
        return {}

    @abstractmethod
    def create(self, context: ModuleContext) -> str:
        """Create what the service stands for; answer a message for the provisioning log."""

    @abstractmethod
    def suspend(self, context: ModuleContext) -> str:
        """Stop the service from being used, keeping its data."""

    @abstractmethod
    def unsuspend(self, context: ModuleContext) -> str:
        """Undo a suspension."""

    @abstractmethod
    def terminate(self, context: ModuleContext) -> str:
        """Remove what the service stands for."""

    def run_action(self, action: str, context: ModuleContext) -> str:
        raise ModuleError(_("The %(module)s module has no action %(action)s.")
                          % {"module": self.title, "action": repr(action)})


_REGISTRY: Registry[ProvisioningModule] = Registry(key_attribute="name", unknown=lambda name: ModuleError(
    _("No provisioning module named %(name)s.") % {"name": repr(name)}))
register = _REGISTRY.register
get_module = _REGISTRY.get
module_choices = _REGISTRY.choices


from . import manual, sample  # noqa: E402,F401 — registers the shipped modules
