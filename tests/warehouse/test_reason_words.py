"""Every reason a row can be quarantined for has its words in the catalogue, in Vietnamese and in English: the
data manager reads the reason, not its code."""

import ast
from pathlib import Path

from warehouse.cases import case_register
from warehouse.infra.messages import catalogue

ROOT = Path(__file__).resolve().parents[2]


def raised_codes() -> set[str]:
    """The codes of every ``Problem(field, value, code, …)`` the warehouse writes, and the case register's own."""
    codes = {case_register.UNKNOWN_CASE, case_register.INVALID_TRANSITION}
    for path in (ROOT / "warehouse").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Problem" and len(node.args) >= 3
                    and isinstance(node.args[2], ast.Constant)):
                codes.add(node.args[2].value)
    return codes


def test_every_quarantine_reason_has_words_in_both_languages():
    words = catalogue()["reason"]
    codes = raised_codes()
    assert len(codes) > 30
    assert sorted(codes - words.keys()) == []  # a reason with no words: add it to [reason] in messages.toml
    assert sorted(words.keys() - codes) == []  # words for a reason nothing gives any more
    assert all(w["vi"] and w["en"] and w["vi"] != w["en"] for w in words.values())
