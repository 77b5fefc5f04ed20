"""What tests of client files share: a storage of the test's own, and what it holds."""

from __future__ import annotations

from pathlib import Path


def use_media_root(settings, root: Path) -> Path:
    """Point the "default" storage (client files) at root, a real file system storage."""
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": root, "base_url": "/no-public-url/"}}}
    return root


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
