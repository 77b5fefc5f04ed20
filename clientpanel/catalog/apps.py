from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "clientpanel.catalog"
    label = "catalog"
