"""The Dagster code location: every definition under ``defs``, bound to resources from the settings the
environment gives when the definitions load (:class:`~warehouse.infra.settings.Settings`: the data folder, the
warehouse, the language, the folders, each form's source; the README lists them).

Secrets reach the resources as ``EnvVar``s, so that the UI shows a variable's name, never its value:
``CLMS_PSEUDONYM_KEY`` (required), the warehouse URL when ``CLMS_WAREHOUSE_URL`` sets one; ODK Central's
``ODK_CENTRAL_URL``, ``ODK_CENTRAL_EMAIL``, ``ODK_CENTRAL_PASSWORD``, ``ODK_CENTRAL_PROJECT_ID``; KoboToolbox's
``KOBO_URL``, ``KOBO_TOKEN`` and each form's asset ``KOBO_ASSET_<FORM_ID>``.
"""

from __future__ import annotations

import warnings

import dagster as dg

from connectors.forms import FORMS
from dagster_project import defs as defs_package
from dagster_project.raw_assets import source_key
from dagster_project.resources import ReferenceFiles, WarehouseResource
from dagster_project.sources import (
    DemoSource,
    FileImportSource,
    KoboToolboxSource,
    OdkCentralSource,
    SubmissionSource,
)
from warehouse.infra.settings import Settings


def warehouse_resource(settings: Settings) -> WarehouseResource:
    url = dg.EnvVar("CLMS_WAREHOUSE_URL") if settings.warehouse_url_set else settings.warehouse_url
    return WarehouseResource(url=url, pseudonym_key=dg.EnvVar("CLMS_PSEUDONYM_KEY"))


def source_resource(settings: Settings, form_id: str) -> SubmissionSource:
    """The source of ``form_id``'s submissions the settings choose."""
    kind = settings.sources[form_id]
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
        return FileImportSource(folder=str(settings.folders["imports"]))
    return DemoSource()


def build_definitions(warehouse: WarehouseResource, sources: dict[str, SubmissionSource]) -> dg.Definitions:
    """Everything under ``defs`` (assets, checks, jobs, schedules), bound to the warehouse and each form's source."""
    resources = {"warehouse": warehouse,
                 "reference_files": ReferenceFiles(folder=str(Settings.from_environment().folders["reference"])),
                 **{source_key(form): source for form, source in sources.items()}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.PreviewWarning)  # the loader is marked preview in Dagster 1.13
        return dg.load_definitions_from_package_module(defs_package, resources=resources)


settings = Settings.from_environment()
defs = build_definitions(warehouse_resource(settings), {form: source_resource(settings, form) for form in FORMS})
