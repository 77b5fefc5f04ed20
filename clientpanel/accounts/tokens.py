"""API token secrets: their format and the hash stored in place of them."""

from __future__ import annotations

import hashlib

TOKEN_PREFIX = "cp_"


def hash_token(token: str) -> str:
    # API tokens carry 256 bits of randomness, so a fast hash is enough (no brute force possible).
    return hashlib.sha256(token.encode()).hexdigest()
