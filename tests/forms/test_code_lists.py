"""forms/media code lists: the official post-July-2025 units, and the legacy mapping, consistent with their record."""

from __future__ import annotations

import collections
import csv
import hashlib
import json
import unicodedata

import pytest

from tests.forms.xlsform_tools import FORMS_DIR

MEDIA = FORMS_DIR / "media"
PREFIXES = {"xa": "Xã ", "phuong": "Phường ", "dac_khu": "Đặc khu "}  # Decision 19/2025/QĐ-TTg unit types


def read_csv(name: str) -> tuple[list[str], list[dict]]:
    with open(MEDIA / name, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return reader.fieldnames, list(reader)


@pytest.fixture(scope="module")
def communes():
    return read_csv("communes.csv")


@pytest.fixture(scope="module")
def provinces():
    return read_csv("provinces.csv")


@pytest.fixture(scope="module")
def record():
    return json.loads((MEDIA / "code_list_version.json").read_text(encoding="utf-8"))


def test_communes(communes, provinces):
    columns, rows = communes
    assert columns == ["name", "label", "province", "province_name", "division_type"]
    assert len(rows) == 3321
    codes = [row["name"] for row in rows]
    assert len(set(codes)) == len(codes) and all(len(code) == 5 and code.isdigit() for code in codes)
    province_labels = {row["name"]: row["label"] for row in provinces[1]}
    assert {(row["province"], row["province_name"]) for row in rows} == set(province_labels.items())
    assert collections.Counter(row["division_type"] for row in rows) == {"xa": 2621, "phuong": 687, "dac_khu": 13}
    assert all(row["label"].startswith(PREFIXES[row["division_type"]]) for row in rows)


def test_provinces(provinces):
    columns, rows = provinces
    assert columns == ["name", "label"]
    codes = [row["name"] for row in rows]
    assert len(rows) == 34 and len(set(codes)) == 34 and all(len(c) == 2 and c.isdigit() for c in codes)
    assert all(row["label"].startswith(("Tỉnh ", "Thành phố ")) for row in rows)


@pytest.mark.parametrize("name", ["communes.csv", "provinces.csv", "legacy_communes.csv", "cases.csv"])
def test_utf8_nfc_without_bom(name):
    text = (MEDIA / name).read_bytes().decode("utf-8")
    assert not text.startswith("\ufeff") and unicodedata.is_normalized("NFC", text)


def test_legacy_mapping(communes):
    columns, rows = read_csv("legacy_communes.csv")
    assert columns[:2] == ["legacy_code", "legacy_name"] and columns[-2:] == ["commune", "province"]
    new = {row["name"]: row["province"] for row in communes[1]}
    mapped = [row for row in rows if row["commune"]]
    assert all(new.get(row["commune"]) == row["province"] for row in mapped)
    targets = collections.Counter(row["legacy_code"] for row in mapped)
    assert 400 < sum(n > 1 for n in targets.values()) < 500  # about 440 old communes were split (one-to-many)
    assert len({row["legacy_code"] for row in rows}) > 10_000  # about 10,000 pre-2025 communes
    unmapped_new = set(new) - {row["commune"] for row in mapped}
    assert {row["division_type"] for row in communes[1] if row["name"] in unmapped_new} <= {"dac_khu"}


def test_record_matches_files(record):
    assert record["code_list_version"] == "vn-" + record["effective_date"][:7] == "vn-2025-07"
    assert tuple(map(int, record["package_version"].split(".")[:3])) >= (2026, 9, 0)
    for name, info in record["files"].items():
        content = (MEDIA / name).read_bytes()
        assert hashlib.sha256(content).hexdigest() == info["sha256"], f"{name} edited by hand: regenerate it"
        assert len(read_csv(name)[1]) == info["rows"], name
    assert set(record["files"]) == {"communes.csv", "provinces.csv", "legacy_communes.csv"}
