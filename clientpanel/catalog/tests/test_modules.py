"""Provisioning modules: the registry by name, the interface every module keeps, the settings each
validates, and the shipped manual and sample modules (the runner's timeout is tested with the
services that call it)."""

import pytest

from clientpanel.catalog import modules
from clientpanel.catalog.modules import ModuleContext, ModuleError, ProvisioningModule, get_module, module_choices
from clientpanel.catalog.services import module_errors


def context(**settings) -> ModuleContext:
    return ModuleContext(service_id="s-1", label="VPS D4E0GV", client_id="c-1", product_key="vps-s",
                         settings=settings)


@pytest.fixture
def registry(monkeypatch):
    """A copy of the registry a test may add to; the real one is left as it was."""
    monkeypatch.setattr(modules._REGISTRY, "_plugins", dict(modules._REGISTRY._plugins))
    return modules._REGISTRY._plugins


def test_the_shipped_modules_are_registered_by_name():
    assert module_choices() == [("manual", "Manual"), ("sample", "Sample (can fail or hang)")]
    assert get_module("manual").name == "manual" and get_module("sample").name == "sample"


def test_an_unknown_module_is_a_module_error_and_a_field_error():
    with pytest.raises(ModuleError, match="No provisioning module named 'proxmox'"):
        get_module("proxmox")
    assert module_errors("proxmox", {}) == {"module": ["No provisioning module named 'proxmox'."]}


def test_a_registered_module_can_be_chosen_and_validates_its_own_settings(registry):
    @modules.register
    class Hosting(ProvisioningModule):
        name, title = "hosting", "Shared hosting"

        def validate_settings(self, settings):
            return {} if settings.get("server") else {"module_settings": ["Choose a server."]}

        def create(self, context):
            return f"Account for {context.label} on {context.settings['server']}"

        suspend = unsuspend = terminate = create

    assert ("hosting", "Shared hosting") in module_choices()
    assert module_errors("hosting", {}) == {"module_settings": ["Choose a server."]}
    assert module_errors("hosting", {"server": "web1"}) == {}
    assert get_module("hosting").create(context(server="web1")) == "Account for VPS D4E0GV on web1"
    with pytest.raises(ModuleError, match="no action 'reboot'"):
        get_module("hosting").run_action("reboot", context())


def test_a_module_must_implement_every_step():
    class Incomplete(ProvisioningModule):
        name = "incomplete"

        def create(self, context):
            return "created"

    with pytest.raises(TypeError):
        Incomplete()


def test_the_manual_module_accepts_any_settings_and_every_step_succeeds():
    manual = get_module("manual")
    assert manual.validate_settings({"anything": 1}) == {} and manual.actions == {}
    assert [manual.create(context()), manual.suspend(context()), manual.unsuspend(context()),
            manual.terminate(context())] == ["Marked as created; provision it by hand.", "Marked as suspended.",
                                             "Marked as unsuspended.", "Marked as terminated."]


@pytest.mark.parametrize("settings, problem", [
    ({}, None),
    ({"fail": "create", "message": "No capacity", "hang_seconds": 30}, None),
    ({"fail": "all"}, None),
    ({"fail": ""}, None),
    ({"hang_seconds": 600}, None),
    ({"hang_seconds": 0.5}, None),
    ({"fail": "sometimes"}, "fail must be one of create, suspend, unsuspend, terminate, all."),
    ({"colour": "red"}, "Unknown setting: colour"),
    ({"hang_seconds": 601}, "hang_seconds must be a number from 0 to 600."),
    ({"hang_seconds": -1}, "hang_seconds must be a number from 0 to 600."),
    ({"hang_seconds": "5"}, "hang_seconds must be a number from 0 to 600."),
    ({"hang_seconds": True}, "hang_seconds must be a number from 0 to 600."),
])
def test_the_sample_module_validates_its_settings(settings, problem):
    errors = get_module("sample").validate_settings(settings)
    assert errors == ({} if problem is None else {"module_settings": [problem]})


@pytest.mark.parametrize("fail, failing", [
    ("create", {"create"}), ("terminate", {"terminate"}), ("all", {"create", "suspend", "unsuspend", "terminate"}),
    ("", set()),
])
def test_the_sample_module_fails_exactly_the_steps_it_is_told_to(fail, failing):
    sample = get_module("sample")
    for step in ("create", "suspend", "unsuspend", "terminate"):
        if step in failing:
            with pytest.raises(ModuleError, match=f"failed to {step} VPS D4E0GV"):
                getattr(sample, step)(context(fail=fail))
        else:
            assert getattr(sample, step)(context(fail=fail)) == f"Sample {step} of VPS D4E0GV done."


def test_the_sample_module_fails_with_the_message_staff_configured():
    with pytest.raises(ModuleError) as failure:
        get_module("sample").create(context(fail="create", message="Post install script failed"))
    assert str(failure.value) == "Post install script failed"


def test_the_sample_module_offers_reboot_and_password_reset_actions_only():
    sample = get_module("sample")
    assert sample.actions == {"reboot": "Reboot", "reset-password": "Reset password"}
    assert sample.run_action("reboot", context()) == "Sample reboot of VPS D4E0GV done."
    assert sample.run_action("reset-password", context()) == "Sample reset password of VPS D4E0GV done."
    with pytest.raises(ModuleError, match="no action 'format'"):
        sample.run_action("format", context())
