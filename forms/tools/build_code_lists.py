"""Regenerate the official administrative-unit code lists in forms/media/ from `vietnam-provinces`.

Maintenance script, run by hand (see forms/README.md); the runtime only reads the CSV files it writes:

- communes.csv: post-July-2025 communes, the choice list of `select_one_from_file communes.csv`;
- provinces.csv: post-July-2025 provinces;
- legacy_communes.csv: pre-July-2025 communes with their old -> new mapping, one row per (old, new) pair
  (an old commune split between new communes has several rows; one with no new commune has blank new columns);
- code_list_version.json: package and data versions, generation date, row counts and SHA-256 of each file.

`vietnam-provinces` is GPL-3.0-or-later: only the generated data is committed, the package is not a dependency.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import hashlib
import io
import json
import sys
from pathlib import Path

MEDIA = Path(__file__).resolve().parents[1] / "media"
MIN_PACKAGE_VERSION = (2026, 9, 0)  # 2025.x was built from a draft list: 114 commune codes differ

COMMUNE_COLUMNS = ["name", "label", "province", "province_name", "division_type"]
PROVINCE_COLUMNS = ["name", "label"]
UNIT_PREFIXES = {"XA": "Xã ", "PHUONG": "Phường ", "DAC_KHU": "Đặc khu "}
LEGACY_COLUMNS = [
    "legacy_code", "legacy_name", "legacy_division_type", "legacy_district_code", "legacy_district_name",
    "legacy_province_code", "legacy_province_name", "partly_merged", "commune", "province",
]


def _load_package():
    try:
        import vietnam_provinces as vp
        from vietnam_provinces import legacy
        # The complete old -> new table (with the "partly merged" flag) is only exposed through search helpers
        # that drop old codes missing from the legacy list; read the package's conversion table directly.
        from vietnam_provinces import _ward_conversion_2025 as conversion
    except ImportError as exc:
        sys.exit(
            f"{exc}\nInstall the package first: "
            ".venv/bin/pip install --ignore-requires-python 'vietnam-provinces>=2026.9.0'"
        )
    if tuple(int(part) for part in vp.__version__.split(".")[:3]) < MIN_PACKAGE_VERSION:
        sys.exit(f"vietnam-provinces {vp.__version__} is too old: need >= 2026.9.0 (official post-2025 codes)")
    return vp, legacy, conversion


def provinces_rows(vp) -> list[dict]:
    rows = [{"name": f"{p.code.value:02d}", "label": p.name} for p in vp.Province.iter_all()]
    return sorted(rows, key=lambda row: row["name"])


def commune_label(ward) -> str:
    """The commune's name with its unit type capitalised ("xã Bắc Sơn" in data 2026-09-20 -> "Xã Bắc Sơn")."""
    prefix = UNIT_PREFIXES[ward.division_type.name]
    if ward.name.lower().startswith(prefix.lower()):
        return prefix + ward.name[len(prefix):]
    return ward.name


def communes_rows(vp) -> list[dict]:
    province_names = {p.code: p.name for p in vp.Province.iter_all()}
    rows = [
        {
            "name": f"{w.code.value:05d}",
            "label": commune_label(w),
            "province": f"{w.province_code.value:02d}",
            "province_name": province_names[w.province_code],
            "division_type": w.division_type.name.lower(),
        }
        for w in vp.Ward.iter_all()
    ]
    return sorted(rows, key=lambda row: row["name"])


def legacy_rows(legacy, conversion) -> list[dict]:
    wards = {w.code.value: w for w in legacy.Ward.iter_all()}
    districts = {d.code.value: d for d in legacy.District.iter_all()}
    provinces = {p.code.value: p for p in legacy.Province.iter_all()}
    # Old units in the conversion table but not in the legacy list keep their codes, with a blank name.
    refs = {code: (ward.district_code.value, None) for code, ward in wards.items()}
    refs.update({code: (entry.old_ward.district_code, entry) for code, entry in conversion.OLD_TO_NEW.items()})
    rows = []
    for code, (district_code, entry) in sorted(refs.items()):
        ward, district = wards.get(code), districts.get(district_code)
        province_code = district.province_code.value if district else entry.old_ward.province_code
        base = {
            "legacy_code": f"{code:05d}",
            "legacy_name": ward.name if ward else "",
            "legacy_division_type": ward.division_type.name.lower() if ward else "",
            "legacy_district_code": f"{district_code:03d}",
            "legacy_district_name": district.name if district else "",
            "legacy_province_code": f"{province_code:02d}",
            "legacy_province_name": provinces[province_code].name if province_code in provinces else "",
            "partly_merged": "" if entry is None else str(entry.old_ward.is_partly_merged).lower(),
        }
        targets = sorted(entry.new_wards) if entry else [None]
        for new in targets:
            rows.append(base | {
                "commune": f"{new.code:05d}" if new else "",
                "province": f"{new.province_code:02d}" if new else "",
            })
    return rows


def to_csv(columns: list[str], rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def build(out: Path, today: datetime.date) -> dict:
    """Write the CSV files and code_list_version.json into `out`; return the version record."""
    vp, legacy, conversion = _load_package()
    files = {
        "provinces.csv": (PROVINCE_COLUMNS, provinces_rows(vp)),
        "communes.csv": (COMMUNE_COLUMNS, communes_rows(vp)),
        "legacy_communes.csv": (LEGACY_COLUMNS, legacy_rows(legacy, conversion)),
    }
    out.mkdir(parents=True, exist_ok=True)
    record = {
        "code_list_version": "vn-" + conversion.EFFECTIVE_DATE[:7],
        "effective_date": conversion.EFFECTIVE_DATE,
        "source_package": "vietnam-provinces",
        "package_version": vp.__version__,
        "data_version": vp.__data_version__,
        "conversion_source": conversion.SOURCE,
        "generated": today.isoformat(),
        "files": {},
    }
    for name, (columns, rows) in files.items():
        content = to_csv(columns, rows)
        (out / name).write_bytes(content)
        record["files"][name] = {"rows": len(rows), "sha256": hashlib.sha256(content).hexdigest()}
    text = json.dumps(record, ensure_ascii=False, indent=2) + "\n"
    (out / "code_list_version.json").write_text(text, encoding="utf-8")
    return record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=MEDIA, help=f"output directory (default {MEDIA})")
    args = parser.parse_args()
    record = build(args.out, datetime.date.today())
    counts = ", ".join(f"{name}: {info['rows']} rows" for name, info in record["files"].items())
    print(f"{record['code_list_version']} from vietnam-provinces {record['package_version']} "
          f"(data {record['data_version']}): {counts}")


if __name__ == "__main__":
    main()
