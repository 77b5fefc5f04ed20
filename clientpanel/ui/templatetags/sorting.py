"""`{% load sorting %}`: the phone's "Sort by" for every sortable list (ui/sorting.py), in one
partial, ui/_sort_picker.html.

    {% sort_picker sort "email" _("Email") "name" _("Name") %}            columns as key, label pairs
    {% sort_picker params.sort columns target="#directory" %}            or a list of {"key", "label"}

`target`: the element a list built with htmx swaps (the picker then swaps it too, and pushes the
address); without it the choice reloads the page. Without script a Sort button submits the choice."""

from django import template

from clientpanel.ui.sorting import sort_picker as build_picker

register = template.Library()


def _columns(columns: tuple) -> list[tuple[str, str]]:
    if len(columns) == 1 and not isinstance(columns[0], str):
        return [(c["key"], c["label"]) if isinstance(c, dict) else (c[0], c[1]) for c in columns[0]]
    if len(columns) % 2:
        raise template.TemplateSyntaxError("sort_picker takes its columns as key, label pairs.")
    return list(zip(columns[::2], columns[1::2], strict=True))


@register.inclusion_tag("ui/_sort_picker.html", takes_context=True)
def sort_picker(context, current, *columns, target: str = "", id: str = "sort-picker",
                css_class: str = "") -> dict:
    request = context["request"]
    return {"picker": build_picker(query=request.GET, current=current, columns=_columns(columns), path=request.path),
            "path": request.path, "target": target, "id": id, "css_class": css_class}
