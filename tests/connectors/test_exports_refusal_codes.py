"""Every refusal of an export file carries a code that the message catalogue says in Vietnamese and English, with
only parameters the refusal gives (read from the importers' source, so a new refusal cannot go unsaid)."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from connectors.exports import FileRefused, read_kobo_json
from warehouse.infra.messages import catalogue
from warehouse.infra.settings import LANGUAGES

EXPORTS = Path(__file__).resolve().parents[2] / "connectors" / "exports"


def refusals() -> list[tuple[str, str, frozenset[str]]]:
    """(where, code, parameter names) of each ``refuse(what, code, message, **params)`` call."""
    found = []
    for path in sorted(EXPORTS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "refuse":
                code = node.args[1]
                codes = [code.body, code.orelse] if isinstance(code, ast.IfExp) else [code]
                assert all(isinstance(c, ast.Constant) for c in codes), f"{path.name}:{node.lineno}: a literal code"
                params = frozenset(k.arg for k in node.keywords)
                found += [(f"{path.name}:{node.lineno}", c.value, params) for c in codes]
    return found


def test_the_importers_refuse_in_more_than_thirty_ways():
    assert len({code for _, code, _ in refusals()}) > 30


@pytest.mark.parametrize(("where", "code", "params"), refusals(), ids=lambda v: v if isinstance(v, str) else "")
def test_each_refusal_is_said_in_both_languages_with_its_parameters(where, code, params):
    texts = catalogue()["file_refused"].get(code)
    assert texts is not None, f"{where}: no [file_refused] text for {code}"
    for lang in LANGUAGES:
        used = {name for _, name, _, _ in string.Formatter().parse(texts[lang]) if name}
        assert used <= params, f"{where}: {lang} text of {code} uses {used - params}, which the refusal lacks"


def test_a_refusal_s_parameters_hold_no_cell_value():
    """The UTF-8 refusal gives the bad byte's position, not the byte (the English text, for developers, quotes it)."""
    with pytest.raises(FileRefused) as refused:
        read_kobo_json(b'[{"name": "Nguy\xe9n"}]', None, name="x.json")
    assert (refused.value.refusal.code, refused.value.refusal.params) == ("not_utf8", {"member": "x.json",
                                                                                     "position": 15})
    assert "\\xe9" in str(refused.value)
