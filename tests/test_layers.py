"""What import-linter cannot say about third-party submodules: the domain apps build no HTTP
responses and render no templates — that is the interfaces' work (backoffice, api, portal). Their
routers (api.py, schemas.py) are the one exception: they are the API's edge of each domain."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "clientpanel"
DOMAINS = ["client_services", "invoicing", "ledger", "files", "clients", "tax", "catalog", "accounts", "audit", "core"]
FORBIDDEN = ("django.http", "django.template", "django.shortcuts", "django.views", "ninja")
EDGES = {"api.py", "schemas.py", "api_auth.py"}


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _domain_modules():
    for domain in DOMAINS:
        for path in sorted((ROOT / domain).rglob("*.py")):
            parts = set(path.relative_to(ROOT).parts)
            if path.name in EDGES or parts & {"tests", "migrations"}:
                continue
            yield path


@pytest.mark.parametrize("path", list(_domain_modules()), ids=lambda p: str(p.relative_to(ROOT)))
def test_a_domain_module_imports_nothing_of_http_or_pages(path):
    bad = sorted(name for name in _imports(path) if name.startswith(FORBIDDEN))
    assert not bad, f"{path.relative_to(ROOT)} imports {', '.join(bad)}"


# A module past ~300 lines is split by what its parts do (issue 10); the bound leaves room for a
# docstring or a comment more, not for a second subject.
MODULE_LINES_MAX = 320


def test_no_module_is_over_about_three_hundred_lines():
    too_long = {}
    for path in sorted(ROOT.rglob("*.py")):
        if {"tests", "migrations"} & set(path.relative_to(ROOT).parts):
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MODULE_LINES_MAX:
            too_long[str(path.relative_to(ROOT))] = lines
    assert not too_long, f"split these by what their parts do: {too_long}"
