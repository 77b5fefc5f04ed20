"""Jobs of the clients app, run by Huey consumers (or inline in immediate mode)."""

from huey.contrib.djhuey import db_task

from .services import client_vies_check


@db_task(retries=2, retry_delay=60)
def vies_check_task(client_id: str) -> str | None:
    return client_vies_check(client_id=client_id)
