from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "clientpanel.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from .roles import ensure_default_roles
        from .sudo import sudo_after_login

        # Runs after django.contrib.auth has created this app's permissions (connected earlier).
        post_migrate.connect(ensure_default_roles, sender=self, dispatch_uid="clientpanel-default-roles")
        # A staff login proves the password (and the code, with 2FA): sudo mode's window starts there.
        user_logged_in.connect(sudo_after_login, dispatch_uid="clientpanel-sudo-after-login")
