"""Plug-ins of one kind, by key: provisioning modules, payment gateways, e-invoice exporters. A
plug-in class registers itself with the registry's `register` decorator (one instance is kept);
`get` answers it or raises the kind's own error in words; `choices` lists (key, title) for forms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

Plugin = TypeVar("Plugin")


class Registry(Generic[Plugin]):
    def __init__(self, *, key_attribute: str, unknown: Callable[[str], Exception]) -> None:
        self._plugins: dict[str, Plugin] = {}
        self._key_attribute = key_attribute
        self._unknown = unknown  # the error for a key nobody registered (e.g. GatewayError in words)

    def register(self, plugin_class: type[Plugin]) -> type[Plugin]:
        self._plugins[getattr(plugin_class, self._key_attribute)] = plugin_class()
        return plugin_class

    def get(self, key: str) -> Plugin:
        try:
            return self._plugins[key]
        except KeyError:
            raise self._unknown(key) from None

    def choices(self) -> list[tuple[str, str]]:
        return [(key, str(getattr(plugin, "title", key))) for key, plugin in sorted(self._plugins.items())]
