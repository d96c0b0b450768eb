"""The Dagster code location: every definition under ``defs``, bound to resources from the environment.

Environment:
- ``CLMS_PSEUDONYM_KEY`` (required): secret key of the pseudonymous ids.
- ``CLMS_DATA_DIR``: the data folder, where every file and folder below goes unless its own variable is set;
  default the project's ``var/``, whatever the working directory.
- ``CLMS_WAREHOUSE_URL``: SQLAlchemy URL; default the embedded SQLite file ``warehouse.sqlite`` of the data folder.
- ``CLMS_REFERENCE_DIR``: where data managers drop reference spreadsheets (``targets/``, ``populations/``,
  ``approvals/``, ``expected_reporting/``, ``frames/``); default ``reference_uploads/`` of the data folder.
- ``CLMS_SOURCE``: where every form's submissions come from: ``demo`` (default), ``odk_central``, ``kobotoolbox``
  or ``file``; ``CLMS_SOURCE_<FORM_ID>`` (e.g. ``CLMS_SOURCE_ACTIVITY_REPORT``) chooses for one form.
  ODK Central: ``ODK_CENTRAL_URL``, ``ODK_CENTRAL_EMAIL``, ``ODK_CENTRAL_PASSWORD``, ``ODK_CENTRAL_PROJECT_ID``.
  KoboToolbox: ``KOBO_URL``, ``KOBO_TOKEN``, and the form's asset ``KOBO_ASSET_<FORM_ID>``.
  Export files: dropped into ``CLMS_IMPORT_DIR/<form_id>/`` (default ``imports/`` of the data folder).
"""

from __future__ import annotations

import os
import warnings

import dagster as dg

from connectors.forms import FORMS
from dagster_project import defs as defs_package
from dagster_project.folders import folder_path
from dagster_project.raw_assets import source_key
from dagster_project.resources import ReferenceFiles, WarehouseResource
from dagster_project.sources import (
    DemoSource,
    FileImportSource,
    KoboToolboxSource,
    OdkCentralSource,
    SubmissionSource,
)
from warehouse.schema.db import default_url


def warehouse_from_env() -> WarehouseResource:
    url = dg.EnvVar("CLMS_WAREHOUSE_URL") if os.environ.get("CLMS_WAREHOUSE_URL") else default_url()
    return WarehouseResource(url=url, pseudonym_key=dg.EnvVar("CLMS_PSEUDONYM_KEY"))


def reference_files_from_env() -> ReferenceFiles:
    return ReferenceFiles(folder=folder_path("reference"))


def source_from_env(form_id: str) -> SubmissionSource:
    variable = f"CLMS_SOURCE_{form_id.upper()}"
    kind = os.environ.get(variable) or os.environ.get("CLMS_SOURCE", "demo")
    if kind == "demo":
        return DemoSource()
    if kind == "odk_central":
        return OdkCentralSource(
            base_url=dg.EnvVar("ODK_CENTRAL_URL"),
            email=dg.EnvVar("ODK_CENTRAL_EMAIL"),
            password=dg.EnvVar("ODK_CENTRAL_PASSWORD"),
            project_id=dg.EnvVar.int("ODK_CENTRAL_PROJECT_ID"),
        )
    if kind == "kobotoolbox":
        return KoboToolboxSource(base_url=dg.EnvVar("KOBO_URL"), token=dg.EnvVar("KOBO_TOKEN"),
                                 asset_uid=dg.EnvVar(f"KOBO_ASSET_{form_id.upper()}"))
    if kind == "file":
        return FileImportSource(folder=folder_path("imports"))
    raise ValueError(f"{variable} or CLMS_SOURCE is {kind!r}: expected 'demo', 'odk_central', 'kobotoolbox' or 'file'")


def build_definitions(warehouse: WarehouseResource, sources: dict[str, SubmissionSource]) -> dg.Definitions:
    """Everything under ``defs`` (assets, checks, jobs, schedules), bound to the warehouse and each form's source."""
    resources = {"warehouse": warehouse, "reference_files": reference_files_from_env(),
                 **{source_key(form): source for form, source in sources.items()}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.PreviewWarning)  # the loader is marked preview in Dagster 1.13
        return dg.load_definitions_from_package_module(defs_package, resources=resources)


defs = build_definitions(warehouse_from_env(), {form: source_from_env(form) for form in FORMS})
