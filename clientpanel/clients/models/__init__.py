"""The clients app's models, by what they hold: clients.py (a client, its group, its balance row),
contacts.py (addresses, users, staff assignments), imports.py (CSV imports), search.py (what the
search knows of its data). Importers use the names listed here."""

from .clients import Client, ClientBalance, ClientGroup, ClientStatus, ViesStatus
from .contacts import Address, AddressType, ClientUser, StaffAssignment
from .imports import ClientImport, ClientImportMapping, ClientImportStatus, OnExisting
from .search import SearchTrigram

__all__ = [
    "Address",
    "AddressType",
    "Client",
    "ClientBalance",
    "ClientGroup",
    "ClientImport",
    "ClientImportMapping",
    "ClientImportStatus",
    "ClientStatus",
    "ClientUser",
    "OnExisting",
    "SearchTrigram",
    "StaffAssignment",
    "ViesStatus",
]
