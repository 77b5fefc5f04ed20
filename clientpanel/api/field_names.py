"""The field of the request a validation error is about, named as the caller sent it.

pydantic locates an error by its own path, and django-ninja prefixes the parameter's source and
name: ("body", "payload", "items", 0, "quantity", "int"), ("file", "file"), ("form", "on_existing").
The caller sent none of "payload", the source twice, nor "int" — the member of a union pydantic
tried. An error is keyed here by the request's own path: the source, then the body's fields (the
single body parameter is the body itself), a query's or a form's names as sent, and no union
member tags (a union's errors are one refusal of the field, reported once).
"""

from __future__ import annotations

import types
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

SOURCES = frozenset({"body", "query", "path", "form", "file", "header", "cookie"})
_SEQUENCES = (list, tuple, set, frozenset, Sequence)
_MAPPINGS = (dict, Mapping)


def _is_union(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, types.UnionType)


def _plain(annotation: Any) -> Any:
    """The type under Annotated[...] and an optional's None (X | None is X); a union of several
    types stays a union."""
    while True:
        if get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
        elif _is_union(annotation) and len(members := [a for a in get_args(annotation) if a is not type(None)]) == 1:
            annotation = members[0]
        else:
            return annotation


def _inner(annotation: Any, part: Any) -> Any:
    """The type of `part` inside a value of this type (a model's field, a list's item, a mapping's
    value), or None where it is not known."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        fields = annotation.model_fields
        field = fields.get(part) or next((f for f in fields.values() if f.alias == part), None)
        return field.annotation if field is not None else None
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is tuple and args and args[-1] is not Ellipsis:
        return args[part] if isinstance(part, int) and part < len(args) else None
    if origin in _SEQUENCES and args:
        return args[0]
    if origin in _MAPPINGS and len(args) == 2:
        return args[1]
    return None


def without_member_tags(annotation: Any, loc: Sequence[Any]) -> tuple[tuple[Any, ...], bool]:
    """pydantic's loc of an error in a value of this type, cut where a union is met (what follows
    it is the tag of the member tried, then that member's own path), and whether it was cut."""
    path: list[Any] = []
    current = annotation
    for part in loc:
        current = _plain(current) if current is not None else None
        if current is not None and _is_union(current):
            return tuple(path), True
        path.append(part)
        current = _inner(current, part) if current is not None else None
    return tuple(path), False


def request_loc(model: type[BaseModel], loc: Sequence[Any]) -> tuple[tuple[Any, ...], bool]:
    """(source, *the request's path) of an error ninja's parameter model met at loc, and whether
    union member tags were cut from it."""
    source = model.__ninja_param_source__
    path, cut = without_member_tags(model, loc)
    flat: dict[str, tuple[str, ...]] | None = getattr(model, "__ninja_flatten_map__", None)
    if flat:
        # Query, form, header and path parameters: the request names each field by its flat key.
        matches = [(key, nested) for key, nested in flat.items() if path[:len(nested)] == nested]
        if matches:
            key, nested = max(matches, key=lambda match: len(match[1]))
            path = (key, *path[len(nested):])
    elif source == "body":
        single = getattr(model, "__read_from_single_attr__", None)
        if single and path[:1] == (single,):  # the one body parameter is the body itself
            path = path[1:]
    return (source, *path), cut


def field_name(loc: Sequence[Any]) -> str:
    """The dotted name of the request's field at an error's loc ("items.0.quantity"); the source
    ("body") for the whole of it."""
    parts = list(loc[1:]) if loc and loc[0] in SOURCES else list(loc)
    return ".".join(str(part) for part in parts) or (str(loc[0]) if loc else "body")
