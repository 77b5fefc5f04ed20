from django.apps import AppConfig

from clientpanel.core.events import subscribe

from .events import ServiceOrdered


class ServicesConfig(AppConfig):
    name = "clientpanel.client_services"
    label = "services"
    verbose_name = "Services"

    def ready(self) -> None:
        # Imported here, not above: tasks import the services and their models, which are loaded
        # only once every app's AppConfig is.
        from . import tasks

        subscribe(ServiceOrdered, tasks.queue_provisioning)
