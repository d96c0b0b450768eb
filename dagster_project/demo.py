"""The main job on the embedded SQLite warehouse with the bundled demo data: ``python -m dagster_project.demo``.

Creates ``.env`` with a fresh local pseudonym key when there is none (``dagster dev`` reads the same file),
runs the household-survey job into a persistent Dagster instance, ``dagster_home`` under the data folder
(``CLMS_DATA_DIR``, default the project's ``var/``), so the run shows in the UI, makes the progress report of one
province for the latest year in the same instance, and prints its summary and where the results are, in Vietnamese
(``CLMS_LANGUAGE=en``: English).
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

import dagster as dg
from sqlalchemy import Engine, func, select

from dagster_project import messages
from dagster_project.defs.reports.partitions import report_areas, report_years
from warehouse.infra.settings import Settings, SettingsError
from warehouse.infra.versioned import REFERENCE_DIR
from warehouse.reference import programme_registers as registers
from warehouse.report import ProgressReport, ReportArea, areas_with_data, gather_report
from warehouse.report.area import area_details
from warehouse.report.formatting import Formatter
from warehouse.report.labels import Labels
from warehouse.schema.admin_units import load_admin_units
from warehouse.schema.db import make_engine
from warehouse.schema.models import IndicatorValue

ENV_FILE = Path(".env")
DAGSTER_YAML = ("# Written by `make demo` or `make dev` when absent; the instance of both.\n"
                "telemetry:\n  enabled: false\nnux:\n  enabled: false\n")
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


class Words:
    """The demo's console sentences (``[console]`` of ``warehouse/infra/messages.toml``) in one language."""

    def __init__(self, lang: str):
        self.lang = lang

    def __call__(self, key: str, **values) -> str:
        return messages.text(f"console.{key}", lang=self.lang, **values)


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
    """Put the demo reference populations, expected reporting, sample frame and programme registers where a data
    manager would drop a spreadsheet."""
    demos = REFERENCE_DIR / "demo"
    for kind, name in (("populations", "populations_demo.csv"), ("expected_reporting", "expected_reporting_demo.csv"),
                       ("frames", "sample_frame_demo.csv"),
                       *((kind, f"{kind}_demo.csv") for kind in registers.COLUMNS)):
        folder = Settings.from_environment().folders["reference"] / kind
        folder.mkdir(parents=True, exist_ok=True)
        if not (folder / name).exists():
            shutil.copy(demos / name, folder / name)


def ensure_dagster_home(home: Path | None = None) -> Path:
    """``home`` (default ``Settings.dagster_home``), with a ``dagster.yaml`` that turns telemetry and the UI's welcome
    pop-up off (written when absent, so a data manager's own settings stay)."""
    home = home or Settings.from_environment().dagster_home
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML, encoding="utf-8")
    return home


def settings() -> Settings:
    """The settings of the demo (``.env`` read): a wrong one ends it with the message naming the variable."""
    try:
        return Settings.from_environment()
    except SettingsError as error:
        raise SystemExit(str(error)) from None


def run_monitoring_job(defs, instance, words: Words) -> None:
    """The main job, its Dagster log kept to warnings (the whole log is in the UI); the data checks counted."""
    print(words("running"), flush=True)
    result = defs.resolve_job_def("monitoring_job").execute_in_process(instance=instance, run_config=QUIET)
    if not result.success:
        raise SystemExit(words("job_failed"))
    checks = result.get_asset_check_evaluations()
    print(words("checks", passed=sum(c.passed for c in checks), total=len(checks)))
    for check in checks:
        if not check.passed:
            print(words("check_failed", name=f"{check.asset_key.to_user_string()} / {check.check_name}"))


def latest_province(engine: Engine) -> tuple[ReportArea, int]:
    """The province to show: in the latest year with indicators, the one whose plan gives the most targets (a
    province of the current list or an old one with its own plan), then the one with the most values."""
    iv = IndicatorValue
    with engine.connect() as conn:
        row = conn.execute(
            select(iv.area_code, iv.code_list_version, iv.period)
            .where(iv.area_level == "province", iv.period_type == "year", iv.dimension == "total")
            .group_by(iv.area_code, iv.code_list_version, iv.period)
            .order_by(iv.period.desc(), func.count(iv.target_value).desc(), func.count(iv.value).desc(),
                      iv.code_list_version, iv.area_code).limit(1)
        ).first()
    if row is None:
        raise SystemExit("no province has indicators in the warehouse")
    return ReportArea("province", row.area_code, row.code_list_version), int(row.period)


def make_report(defs, instance, area: ReportArea, year: int, lang: str, output_folder: str | None = None
                ) -> tuple[Path, Path]:
    """Materialize ``progress_report`` for ``area`` and ``year`` in ``instance`` (so the run shows in the UI):
    the workbook and the web page."""
    instance.add_dynamic_partitions(report_areas.name, [area.key])
    instance.add_dynamic_partitions(report_years.name, [str(year)])
    config = {"language": lang} | ({"output_folder": output_folder} if output_folder else {})
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(
        instance=instance, asset_selection=[dg.AssetKey("progress_report")],
        partition_key=dg.MultiPartitionKey({"area": area.key, "year": str(year)}),
        run_config={**QUIET, "ops": {"progress_report": {"config": config}}})
    [materialization] = result.asset_materializations_for_node("progress_report")
    metadata = materialization.metadata
    return Path(metadata[messages.label("workbook")].value), Path(metadata[messages.label("html_page")].value)


def area_label(labels: Labels, name: str, area: ReportArea) -> str:
    """E.g. "Tỉnh Lạng Sơn (mã 20)", "Tỉnh Bình Dương (mã 74, địa giới trước 01/7/2025)"."""
    return messages.named_area(name, area.code, area.legacy, labels.language)


def summary(report: ProgressReport, lang: str, provinces: list[tuple[str, ReportArea]]) -> list[str]:
    """The report's indicators (title, value, target, status) and the provinces one can report on, as lines."""
    f = Formatter.for_report(report, lang)
    lab, words = f.labels, Words(lang)
    lines = [words("summary", year=report.year, area=area_label(lab, report.details.name, report.area)),
             "  " + " · ".join(f"{f.status(status)}: {n}" for status, n in report.statuses()), ""]
    for r in report.indicators:
        value = f.amount(r.cell.value, r.unit) if r.cell.value is not None else "—"
        lines.append(f"  {r.indicator_id:<6}{lab.indicator(r.indicator_id)} ({lab.source(r.source)})")
        lines.append(f"  {'':<6}{lab('value')}: {value} · {lab('target')}: {f.target(r.target, r.unit) or '—'} · "
                     f"{lab('status')}: {f.status(r.cell.status)}")
    lines += ["", words("provinces")]
    lines += [f"  {area_label(lab, name, area)}: {area.key}" for name, area in provinces]
    return lines


def report_provinces(engine: Engine, code_list_version: str) -> list[tuple[str, ReportArea]]:
    """The provinces (current list, then old units) with indicators, each with its name."""
    provinces = [a for a in areas_with_data(engine, code_list_version) if a.level == "province"]
    provinces.sort(key=lambda a: (a.legacy, a.code))
    return [(area_details(engine, a).name, a) for a in provinces]


def show_product(defs, instance, engine: Engine, lang: str, output_folder: str | None = None) -> None:
    """The progress report of one province for the latest year, its summary, where everything is, what next."""
    words = Words(lang)
    version = load_admin_units().code_list_version
    area, year = latest_province(engine)
    print(words("making_report", area=area.key, year=year), flush=True)
    workbook, page = make_report(defs, instance, area, year, lang, output_folder)
    print()
    print("\n".join(summary(gather_report(engine, area, year), lang, report_provinces(engine, version))))
    database = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
    print()
    print(words("workbook", path=workbook))
    print(words("page", path=page))
    print(words("warehouse", path=Path(database).resolve() if database else
                engine.url.render_as_string(hide_password=True)))
    print(words("next"))


def main() -> None:
    ensure_env_file()
    chosen = settings()
    seed_reference_uploads()
    os.environ["DAGSTER_HOME"] = str(ensure_dagster_home().resolve())
    lang = chosen.language

    from dagster_project.definitions import defs

    with dg.DagsterInstance.get() as instance:
        run_monitoring_job(defs, instance, Words(lang))
        show_product(defs, instance, make_engine(chosen.warehouse_url), lang)


if __name__ == "__main__":
    main()
