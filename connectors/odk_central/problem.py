"""Central's own words for a refusal, as every message of this connector quotes them."""

from __future__ import annotations

from connectors.errors import ResponseInfo


def central_says(info: ResponseInfo | None) -> str:
    """`` (HTTP 502, code 502.2: <Central's message> (<details.error>))``: Central's own words for a refusal;
    ``" (HTTP <status>)"`` when it gave none, ``""`` without an answer. ``details`` other than ``error`` (they
    can echo the request's values) are left out."""
    if info is None:
        return ""
    if info.code is None:
        return f" (HTTP {info.status})"
    words = f": {info.server_message}" if info.server_message else ""
    detail = (info.details or {}).get("error")
    if isinstance(detail, dict):
        detail = ", ".join(f"{k}={v}" for k, v in detail.items() if isinstance(v, str | int | float))
    if detail:
        words += f" ({detail})"
    return f" (HTTP {info.status}, code {info.code}{words})"
