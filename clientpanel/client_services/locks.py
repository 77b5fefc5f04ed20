"""Row locks of services. Only the service's own row is locked (`of=("self",)`): the product (and
client) joined for reading stay unlocked, so services of one product, or of one client, never
queue behind each other. Locks are taken in primary-key order where several rows are locked."""

from __future__ import annotations

from .models import Service


def locked_service(service_id, *, related: tuple[str, ...] = ("product",)) -> Service:
    """The service, locked until the caller's transaction ends, with `related` rows read alongside."""
    services = Service.objects.select_for_update(of=("self",))
    if related:
        services = services.select_related(*related)
    return services.get(pk=service_id)
