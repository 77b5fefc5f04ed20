"""A KSeF FA(3) file checked against the official schema (`schemat_FA(3)_v1-0E.xsd`), from the copies
ksef-client ships: compiled once per process, never fetched from the network."""

from __future__ import annotations

import importlib.util
import threading
from functools import cache
from pathlib import Path

from lxml import etree

from ..reasons import said

SCHEMA_FILE = "schemat_FA(3)_v1-0E.xsd"
# The main schema imports these by absolute crd.gov.pl URLs; they are served from the copies that
# ksef-client ships, by file name, so validating never reaches for the network.
_SCHEMA_FILES = frozenset({SCHEMA_FILE, "StrukturyDanych_v10-0E.xsd", "ElementarneTypyDanych_v10-0E.xsd",
                           "KodyKrajow_v10-0E.xsd"})

_SCHEMA_LOCK = threading.Lock()


def schema_problems(content: bytes) -> list[str]:
    """Problems of a file against the FA(3) schema, one per line in words ([] when valid)."""
    try:
        document = etree.fromstring(content, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as error:
        return [said("not_xml", error=error)]
    schema = _schema()
    # One compiled schema is shared; its error log is per object, so validations take turns.
    with _SCHEMA_LOCK:
        if schema.validate(document):
            return []
        errors = list(schema.error_log)
    return [said("schema_line", line=error.line, message=error.message) for error in errors]


def _schema_directory() -> Path:
    """The XSDs ksef-client ships (found without importing the package and its API client)."""
    spec = importlib.util.find_spec("ksef_client")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("ksef-client, which ships the FA(3) schema, is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "documents" / "fa3" / "schemas"


class _BundledSchemas(etree.Resolver):
    """Serves the schema's imports from the local copies and nothing else: an unknown import gets
    an empty document (the schema then fails to compile) instead of a download."""

    def __init__(self, directory: Path) -> None:
        super().__init__()
        self.directory = directory

    def resolve(self, system_url: str, public_id: str, context: object) -> object:
        name = system_url.rsplit("/", 1)[-1]
        if name in _SCHEMA_FILES:
            return self.resolve_filename(str(self.directory / name), context)
        return self.resolve_empty(context)


@cache
def _schema() -> etree.XMLSchema:
    directory = _schema_directory()
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_BundledSchemas(directory))
    return etree.XMLSchema(etree.parse(str(directory / SCHEMA_FILE), parser))
