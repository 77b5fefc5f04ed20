from django.apps import AppConfig


class AutomationConfig(AppConfig):
    """The automation jobs (SPEC §10): which jobs run, in what order, and their recorded runs. The job
    functions stay in their domains; this app sits above them and only calls them."""

    name = "clientpanel.automation"
    label = "automation"
    verbose_name = "Automation"
