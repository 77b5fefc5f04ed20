from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "clientpanel.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from .roles import ensure_default_roles

        # Runs after django.contrib.auth has created this app's permissions (connected earlier).
        post_migrate.connect(ensure_default_roles, sender=self, dispatch_uid="clientpanel-default-roles")
