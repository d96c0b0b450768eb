"""forms/tools/build_code_lists.py: the committed code lists are exactly what it generates."""

from __future__ import annotations

import datetime
import importlib.util
import json
from types import SimpleNamespace

import pytest

from tests.forms.xlsform_tools import FORMS_DIR

MEDIA = FORMS_DIR / "media"
_spec = importlib.util.spec_from_file_location("build_code_lists", FORMS_DIR / "tools" / "build_code_lists.py")
build_code_lists = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_code_lists)


@pytest.mark.parametrize(("name", "kind", "label"), [
    ("xã Bắc Sơn", "XA", "Xã Bắc Sơn"), ("Phường Ba Đình", "PHUONG", "Phường Ba Đình"),
    ("đặc khu Côn Đảo", "DAC_KHU", "Đặc khu Côn Đảo"),
])
def test_commune_label_capitalises_the_unit_type(name, kind, label):
    ward = SimpleNamespace(name=name, division_type=SimpleNamespace(name=kind))
    assert build_code_lists.commune_label(ward) == label


def test_regenerating_reproduces_the_committed_files(tmp_path):
    pytest.importorskip("vietnam_provinces", reason="maintainer tool: pip install --ignore-requires-python "
                                                    "'vietnam-provinces>=2026.9.0' to check the committed lists")
    committed = json.loads((MEDIA / "code_list_version.json").read_text(encoding="utf-8"))
    build_code_lists.build(tmp_path, datetime.date.fromisoformat(committed["generated"]))
    for name in [*committed["files"], "code_list_version.json"]:
        assert (tmp_path / name).read_bytes() == (MEDIA / name).read_bytes(), f"{name}: run the script again"
