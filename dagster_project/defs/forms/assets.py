"""One asset per form of ``FORMS``: materializing ``<form_id>_form`` publishes the form's current version with its
media."""

from connectors.forms import FORMS
from dagster_project.raw_assets import form_asset

published_forms = [form_asset(form_id) for form_id in FORMS]
