from django.utils.translation import pgettext_lazy

from . import ModuleContext, ProvisioningModule, register


@register
class ManualModule(ProvisioningModule):
    """Staff provision by hand; every step succeeds at once and says so."""

    name = "manual"
    title = pgettext_lazy("provisioning module", "Manual")

    def create(self, context: ModuleContext) -> str:
        return "Marked as created; provision it by hand."

    def suspend(self, context: ModuleContext) -> str:
        return "Marked as suspended."

    def unsuspend(self, context: ModuleContext) -> str:
        return "Marked as unsuspended."

    def terminate(self, context: ModuleContext) -> str:
        return "Marked as terminated."
