from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "clientpanel.clients"
    label = "clients"

    def ready(self) -> None:
        # Imported here, not above: the services import models, loaded only once every app's is.
        from clientpanel.accounts.events import UserRenamed
        from clientpanel.core.events import subscribe

        from .services.user_accounts import owner_renamed

        subscribe(UserRenamed, owner_renamed)
