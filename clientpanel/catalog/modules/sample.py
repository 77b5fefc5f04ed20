import time
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import ModuleContext, ModuleError, ProvisioningModule, register


@register
class SampleModule(ProvisioningModule):
    """A demonstration module whose product settings make it succeed, fail or hang, so the error
    and timeout paths can be seen for real:
    {"fail": "create" | "suspend" | … | "all", "message": "…", "hang_seconds": 30}."""

    name = "sample"
    title = gettext_lazy("Sample (can fail or hang)")
    actions = {"reboot": gettext_lazy("Reboot"), "reset-password": gettext_lazy("Reset password")}
    STEPS = ("create", "suspend", "unsuspend", "terminate", "all")

    def validate_settings(self, settings: dict[str, Any]) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        unknown = set(settings) - {"fail", "message", "hang_seconds"}
        if unknown:
            errors["module_settings"] = [_("Unknown setting: %(name)s") % {"name": name} for name in sorted(unknown)]
        if settings.get("fail") not in (None, "", *self.STEPS):
            errors.setdefault("module_settings", []).append(
                _("fail must be one of %(steps)s.") % {"steps": ", ".join(self.STEPS)})
        hang = settings.get("hang_seconds", 0)
        if not isinstance(hang, (int, float)) or isinstance(hang, bool) or not 0 <= hang <= 600:
            errors.setdefault("module_settings", []).append(_("hang_seconds must be a number from 0 to 600."))
        return errors

    def _step(self, step: str, context: ModuleContext) -> str:
        settings = context.settings
        if settings.get("hang_seconds") and settings.get("fail") in (step, "all"):
            time.sleep(float(settings["hang_seconds"]))
        if settings.get("fail") in (step, "all"):
            raise ModuleError(settings.get("message") or f"Sample module failed to {step} {context.label}.")
        return f"Sample {step} of {context.label} done."

    def create(self, context: ModuleContext) -> str:
        return self._step("create", context)

    def suspend(self, context: ModuleContext) -> str:
        return self._step("suspend", context)

    def unsuspend(self, context: ModuleContext) -> str:
        return self._step("unsuspend", context)

    def terminate(self, context: ModuleContext) -> str:
        return self._step("terminate", context)

    def run_action(self, action: str, context: ModuleContext) -> str:
        if action not in self.actions:
            return super().run_action(action, context)
        # The provisioning log is kept in one language, not in the words of whoever pressed the button.
        return f"Sample {action.replace('-', ' ')} of {context.label} done."
