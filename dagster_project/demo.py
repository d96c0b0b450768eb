"""The main job on the embedded SQLite warehouse with the bundled demo data: ``python -m dagster_project.demo``.

Creates ``.env`` with a fresh local pseudonym key when there is none (``dagster dev`` reads the same file),
runs the household-survey job into a persistent Dagster instance under ``var/dagster_home`` so the run
shows in the UI, and prints where the results are.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

from dagster_project.resources import DEFAULT_REFERENCE_DIR

ENV_FILE = Path(".env")
DAGSTER_HOME = Path("var") / "dagster_home"


def ensure_env_file() -> None:
    """Write a local ``.env`` with a random pseudonym key and the demo source, unless one exists; it holds the key,
    so only its owner may read it (mode 0600, an existing file's too)."""
    if ENV_FILE.exists():
        if ENV_FILE.stat().st_mode & 0o077:
            ENV_FILE.chmod(0o600)
    else:
        with os.fdopen(os.open(ENV_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as f:
            f.write("# Local settings, read by `make demo` and `dagster dev`. Never commit this file.\n"
                    f"CLMS_PSEUDONYM_KEY={secrets.token_hex(32)}\n"
                    "CLMS_SOURCE=demo\n")
    for line in ENV_FILE.read_text(encoding="utf-8").splitlines():
        name, sep, value = line.partition("=")
        if sep and not name.startswith("#"):
            os.environ.setdefault(name.strip(), value.strip())


def seed_reference_uploads() -> None:
    """Put the demo reference populations where a data manager would drop a spreadsheet."""
    folder = Path(os.environ.get("CLMS_REFERENCE_DIR", DEFAULT_REFERENCE_DIR)) / "populations"
    folder.mkdir(parents=True, exist_ok=True)
    demo = Path(__file__).resolve().parents[1] / "warehouse" / "reference" / "demo" / "populations_demo.csv"
    if not (folder / demo.name).exists():
        shutil.copy(demo, folder / demo.name)


def main() -> None:
    ensure_env_file()
    seed_reference_uploads()
    DAGSTER_HOME.mkdir(parents=True, exist_ok=True)
    os.environ["DAGSTER_HOME"] = str(DAGSTER_HOME.resolve())

    from dagster import DagsterInstance
    from sqlalchemy import select

    from dagster_project.definitions import defs
    from warehouse.db import default_url, make_engine
    from warehouse.models import IndicatorValue as iv

    result = defs.resolve_job_def("monitoring_job").execute_in_process(
        instance=DagsterInstance.get(), run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}})
    if not result.success:
        raise SystemExit("the monitoring job failed: see the log above")
    for event in result.get_asset_check_evaluations():
        print(f"check {event.check_name}: {'passed' if event.passed else 'FAILED'}")

    engine = make_engine()
    with engine.connect() as conn:
        rows = conn.execute(
            select(iv.indicator_id, iv.source, iv.area_level, iv.area_code, iv.code_list_version, iv.period,
                   iv.numerator, iv.denominator, iv.value, iv.unit, iv.target_comparator, iv.target_value, iv.status)
            .where(iv.rule_set.in_(["vn_law", ""]), iv.period_type == "year", iv.dimension == "total",
                   (iv.area_level == "national") | ((iv.indicator_id == "1.1") & (iv.area_level == "province")))
            .order_by(iv.indicator_id, iv.source, iv.area_level.desc(), iv.code_list_version, iv.area_code, iv.period)
        ).all()
    print("\nIndicators by year (vn_law): every indicator for the nation, 1.1 by province")
    print(f"{'indicator':<10}{'source':<24}{'area':<14}{'period':<8}{'num':>7}{'den':>8}{'value':>9}  target     status")
    for r in rows:
        value = "" if r.value is None else (f"{r.value:8.1f}d" if r.unit == "days" else f"{r.value:8.2%}")
        target = "" if r.target_comparator is None else (
            r.target_comparator if r.target_value is None else f"{r.target_comparator} {r.target_value:.1%}")
        area = r.area_code + (" (old)" if r.code_list_version == "vn-legacy" else "")
        print(f"{r.indicator_id:<10}{r.source:<24}{area:<14}{r.period:<8}{'' if r.numerator is None else r.numerator:>7}"
              f"{'' if r.denominator is None else r.denominator:>8}{value:>9}  {target:<10} {r.status}")
    print(f"\nWarehouse: {default_url()}")
    print("Analyst tables: household, child, child_classification, inspection, young_worker, "
          "young_worker_classification, case_register, case_visit, activity, activity_reach, indicator_value "
          "(for data managers: raw_submission, quarantine, restricted_*).")
    print(f"Open the Dagster UI:  DAGSTER_HOME={DAGSTER_HOME.resolve()} .venv/bin/dagster dev "
          "-m dagster_project.definitions   (then http://127.0.0.1:3000)")


if __name__ == "__main__":
    main()
