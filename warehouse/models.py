"""SQLAlchemy models of the warehouse.

Layers, in the order data flows:

- raw (``raw_submission``, ``raw_submission_history``, ``sync_cursor``): submissions exactly as received,
  kept forever, one row per (source, project, form, instance id);
- clean (``household``, ``child``, ``quarantine``): typed, de-identified, keyed by pseudonymous ids;
  names, phone numbers, exact GPS and free text live only in the ``restricted_*`` tables;
- derived (``child_classification``, ``indicator_value``);
- bookkeeping (``pipeline_checkpoint``): how far each incremental step has read.

Analyst tables: ``household``, ``child``, ``child_classification``, ``indicator_value``.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

JsonDoc = JSON().with_variant(JSONB(), "postgresql")
PseudoId = String(32)


class Base(DeclarativeBase):
    pass


class RawSubmission(Base):
    """A submission exactly as received; upserted on its stable identity."""

    __tablename__ = "raw_submission"
    __table_args__ = (
        UniqueConstraint("source", "project", "form_id", "instance_id", name="uq_raw_submission_identity"),
        Index("ix_raw_submission_form_seq", "form_id", "change_seq"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    project: Mapped[str] = mapped_column(String(128))
    form_id: Mapped[str] = mapped_column(String(128))
    instance_id: Mapped[str] = mapped_column(String(128))
    form_version: Mapped[str | None] = mapped_column(String(64))
    current_instance_id: Mapped[str | None] = mapped_column(String(128))
    submitted_at: Mapped[str | None] = mapped_column(String(40))
    updated_at: Mapped[str | None] = mapped_column(String(40))
    deleted_at: Mapped[str | None] = mapped_column(String(40))
    submitter: Mapped[str | None] = mapped_column(String(256))
    review_state: Mapped[str | None] = mapped_column(String(32))
    payload: Mapped[dict] = mapped_column(JsonDoc)
    received: Mapped[dict | None] = mapped_column(JsonDoc)
    content_sha256: Mapped[str] = mapped_column(String(64))
    change_seq: Mapped[int] = mapped_column(BigInteger)
    first_loaded_at: Mapped[str] = mapped_column(String(40))
    last_changed_at: Mapped[str] = mapped_column(String(40))


class RawSubmissionHistory(Base):
    """Earlier contents of a raw submission, kept when an edit, review or deletion replaced them."""

    __tablename__ = "raw_submission_history"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    raw_submission_id: Mapped[int] = mapped_column(ForeignKey("raw_submission.id"), index=True)
    form_version: Mapped[str | None] = mapped_column(String(64))
    current_instance_id: Mapped[str | None] = mapped_column(String(128))
    updated_at: Mapped[str | None] = mapped_column(String(40))
    deleted_at: Mapped[str | None] = mapped_column(String(40))
    review_state: Mapped[str | None] = mapped_column(String(32))
    payload: Mapped[dict] = mapped_column(JsonDoc)
    received: Mapped[dict | None] = mapped_column(JsonDoc)
    content_sha256: Mapped[str] = mapped_column(String(64))
    change_seq: Mapped[int] = mapped_column(BigInteger)
    replaced_at: Mapped[str] = mapped_column(String(40))


class SyncCursor(Base):
    """Where the last complete sync of a form from a source ended."""

    __tablename__ = "sync_cursor"

    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    project: Mapped[str] = mapped_column(String(128), primary_key=True)
    form_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    cursor: Mapped[dict] = mapped_column(JsonDoc)
    last_synced_at: Mapped[str] = mapped_column(String(40))
    last_stats: Mapped[dict] = mapped_column(JsonDoc)


class PipelineCheckpoint(Base):
    """The last ``change_seq`` an incremental step has fully processed, under a given logic version."""

    __tablename__ = "pipeline_checkpoint"

    step: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[str] = mapped_column(String(64))


class Household(Base):
    """One interviewed household (consent or not), de-identified."""

    __tablename__ = "household"

    household_id: Mapped[str] = mapped_column(PseudoId, primary_key=True)
    raw_submission_id: Mapped[int] = mapped_column(ForeignKey("raw_submission.id"), unique=True)
    change_seq: Mapped[int] = mapped_column(BigInteger, index=True)
    source: Mapped[str] = mapped_column(String(64))
    form_id: Mapped[str] = mapped_column(String(128))
    form_version: Mapped[str | None] = mapped_column(String(64))
    review_state: Mapped[str | None] = mapped_column(String(32))
    interview_date: Mapped[date] = mapped_column(Date)
    year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(Integer)
    province_code: Mapped[str] = mapped_column(String(8), index=True)
    commune_code: Mapped[str] = mapped_column(String(8), index=True)
    code_list_version: Mapped[str] = mapped_column(String(32))
    urban_rural: Mapped[str] = mapped_column(String(8))
    enumerator_id: Mapped[str | None] = mapped_column(PseudoId)
    consent: Mapped[bool] = mapped_column(Boolean)
    hh_size: Mapped[int | None] = mapped_column(Integer)
    poverty_status: Mapped[str | None] = mapped_column(String(16))
    craft_village: Mapped[bool | None] = mapped_column(Boolean)
    livelihood: Mapped[str | None] = mapped_column(String(32))
    caregiver_informed: Mapped[str | None] = mapped_column(String(16))
    n_children: Mapped[int | None] = mapped_column(Integer)


class Child(Base):
    """One child aged 5–17 from a household roster, de-identified."""

    __tablename__ = "child"

    child_id: Mapped[str] = mapped_column(PseudoId, primary_key=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("household.household_id", ondelete="CASCADE"), index=True)
    change_seq: Mapped[int] = mapped_column(BigInteger, index=True)
    repeat_index: Mapped[int] = mapped_column(Integer)
    sex: Mapped[str] = mapped_column(String(8))
    age: Mapped[int] = mapped_column(Integer)
    age_source: Mapped[str] = mapped_column(String(8))
    ethnicity: Mapped[str | None] = mapped_column(String(16))
    ethnic_group: Mapped[str | None] = mapped_column(String(8))
    school_status: Mapped[str | None] = mapped_column(String(16))
    grade: Mapped[int | None] = mapped_column(Integer)
    econ_activity: Mapped[bool] = mapped_column(Boolean)
    temp_absent: Mapped[bool] = mapped_column(Boolean)
    working: Mapped[bool] = mapped_column(Boolean)
    work_kinds: Mapped[str | None] = mapped_column(String(512))
    workplaces: Mapped[str | None] = mapped_column(String(512))
    sector: Mapped[str | None] = mapped_column(String(32))
    hours_day: Mapped[float | None] = mapped_column(Float)
    hours_week: Mapped[float | None] = mapped_column(Float)
    night_work: Mapped[bool | None] = mapped_column(Boolean)
    overtime: Mapped[bool | None] = mapped_column(Boolean)
    hazards: Mapped[str | None] = mapped_column(String(512))
    performance_approved: Mapped[bool | None] = mapped_column(Boolean)
    chores_hours_week: Mapped[float | None] = mapped_column(Float)
    worked_12m: Mapped[bool | None] = mapped_column(Boolean)
    child_informed: Mapped[str | None] = mapped_column(String(16))


class RestrictedHouseholdPii(Base):
    """Identifying household answers: only for case workers with the right to see them."""

    __tablename__ = "restricted_household_pii"

    household_id: Mapped[str] = mapped_column(
        ForeignKey("household.household_id", ondelete="CASCADE"), primary_key=True
    )
    village: Mapped[str | None] = mapped_column(Text)
    respondent_name: Mapped[str | None] = mapped_column(Text)
    respondent_phone: Mapped[str | None] = mapped_column(String(32))
    enumerator: Mapped[str | None] = mapped_column(Text)
    gps_lat: Mapped[float | None] = mapped_column(Float)
    gps_lon: Mapped[float | None] = mapped_column(Float)
    gps_alt: Mapped[float | None] = mapped_column(Float)
    gps_accuracy: Mapped[float | None] = mapped_column(Float)


class RestrictedChildPii(Base):
    """Identifying child answers: only for case workers with the right to see them."""

    __tablename__ = "restricted_child_pii"

    child_id: Mapped[str] = mapped_column(ForeignKey("child.child_id", ondelete="CASCADE"), primary_key=True)
    household_id: Mapped[str] = mapped_column(PseudoId, index=True)
    child_name: Mapped[str | None] = mapped_column(Text)
    dob: Mapped[date | None] = mapped_column(Date)


class Quarantine(Base):
    """A rejected household or child, with the field and the reason; restricted (may hold raw values)."""

    __tablename__ = "quarantine"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    raw_submission_id: Mapped[int] = mapped_column(ForeignKey("raw_submission.id"), index=True)
    change_seq: Mapped[int] = mapped_column(BigInteger)
    form_id: Mapped[str] = mapped_column(String(128))
    instance_id: Mapped[str] = mapped_column(String(128))
    entity: Mapped[str] = mapped_column(String(16))  # household | child
    repeat_index: Mapped[int | None] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(128))
    value: Mapped[str | None] = mapped_column(String(256))
    reason_code: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)


class ChildClassification(Base):
    """A child's classification under one rule set, with the reasons and the rules version that produced it."""

    __tablename__ = "child_classification"

    child_id: Mapped[str] = mapped_column(ForeignKey("child.child_id", ondelete="CASCADE"), primary_key=True)
    rule_set: Mapped[str] = mapped_column(String(16), primary_key=True)
    rules_version: Mapped[str] = mapped_column(String(32))
    age_band: Mapped[str] = mapped_column(String(8))
    working: Mapped[bool] = mapped_column(Boolean)
    child_labour: Mapped[bool] = mapped_column(Boolean)
    hazardous: Mapped[bool] = mapped_column(Boolean)
    at_risk: Mapped[bool] = mapped_column(Boolean)
    reasons: Mapped[str] = mapped_column(String(1024))  # space-separated reason codes, sorted


class IndicatorValue(Base):
    """One published cell of an indicator: area, period and disaggregation, with its interval and suppression."""

    __tablename__ = "indicator_value"

    indicator_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    rule_set: Mapped[str] = mapped_column(String(16), primary_key=True)
    period: Mapped[str] = mapped_column(String(16), primary_key=True)  # 2026, 2026-Q3
    area_level: Mapped[str] = mapped_column(String(16), primary_key=True)  # national | province | commune
    area_code: Mapped[str] = mapped_column(String(8), primary_key=True)  # "VN" for national
    dimension: Mapped[str] = mapped_column(String(32), primary_key=True)  # total | sex | age_band | ...
    dimension_value: Mapped[str] = mapped_column(String(32), primary_key=True)  # "all" for total
    period_type: Mapped[str] = mapped_column(String(8))  # year | quarter
    code_list_version: Mapped[str] = mapped_column(String(32))
    rules_version: Mapped[str] = mapped_column(String(32))
    numerator: Mapped[int | None] = mapped_column(Integer)
    denominator: Mapped[int | None] = mapped_column(Integer)
    value: Mapped[float | None] = mapped_column(Float)
    ci_low: Mapped[float | None] = mapped_column(Float)
    ci_high: Mapped[float | None] = mapped_column(Float)
    suppressed: Mapped[bool] = mapped_column(Boolean)
