"""SQLAlchemy models of the warehouse.

Layers, in the order data flows:

- raw (``raw_submission``, ``raw_submission_history``, ``sync_cursor``): submissions exactly as received,
  kept forever, one row per (form, root instance id) whatever route brought it (``warehouse.raw.raw_store``);
- clean (``household``, ``child``, ``quarantine``): typed, de-identified, keyed by pseudonymous ids;
  names, phone numbers, exact GPS and free text live only in the ``restricted_*`` tables;
- derived (``child_classification``, ``indicator_value``);
- bookkeeping (``pipeline_checkpoint``): how far each incremental step has read.

Analyst tables (:data:`warehouse.schema.data_dictionary.ANALYST_TABLES`): each table and column is described in
Vietnamese and English (:func:`described`).

The links from a household's children, PII row and its children's PII and classifications to the household and
the child are not foreign keys: the cleaning step keeps them, and a data-quality check counts any broken one
(:mod:`warehouse.schema.clean_links`, which says why). The links to ``raw_submission`` are foreign keys.
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


def described(vi: str, en: str) -> dict:
    """The keywords that describe an analyst table or column in Vietnamese and English: ``info`` holds each,
    ``comment`` both, Vietnamese first (written to PostgreSQL by :mod:`warehouse.schema.data_dictionary`)."""
    return {"info": {"vi": vi, "en": en}, "comment": f"{vi}\n{en}"}


# The columns several clean tables share, each declared once

def raw_submission_ref() -> Mapped[int]:
    """The raw submission a clean row comes from: one row of its form's main table per submission."""
    return mapped_column(ForeignKey("raw_submission.id"), unique=True, **described(
        "Dòng bản nộp gốc (raw_submission.id)", "The raw submission row (raw_submission.id)"))


def change_seq_column() -> Mapped[int]:
    """The raw submission's change sequence when the row was written: what the incremental steps read from."""
    return mapped_column(BigInteger, index=True, **described(
        "Số thứ tự thay đổi của bản nộp gốc khi dòng được ghi (xử lý tăng dần)",
        "Change sequence of the raw submission when the row was written (incremental steps)"))


def year_of(vi: str, en: str) -> Mapped[int]:
    """The year of the row's date (``vi``, ``en``: which date, e.g. "ngày thăm", "visit date")."""
    return mapped_column(Integer, **described(f"Năm của {vi}", f"Year of the {en}"))


def quarter_of(vi: str, en: str) -> Mapped[int]:
    """The quarter (1–4) of the row's date."""
    return mapped_column(Integer, **described(f"Quý của {vi} (1–4)", f"Quarter of the {en} (1–4)"))


def province_column() -> Mapped[str]:
    """A clean row's province, in its code list."""
    return mapped_column(String(8), **described(
        "Mã tỉnh, thành phố (theo danh mục code_list_version)", "Province code (in the code list code_list_version)"))


def commune_column() -> Mapped[str]:
    """A clean row's commune, in its code list."""
    return mapped_column(String(8), index=True, **described(
        "Mã xã, phường, đặc khu (theo danh mục code_list_version)",
        "Commune code (in the code list code_list_version)"))


def code_list_column() -> Mapped[str]:
    """The code list of a clean row's province and commune codes."""
    return mapped_column(String(32), **described(
        "Danh mục đơn vị hành chính của các mã: vn-2025-07 (danh mục từ 01/7/2025) hoặc vn-legacy (danh mục trước đó, "
        "cho số liệu thu thập với mã cũ; được tính cho cả địa bàn cũ và các xã mới tương ứng)",
        "Administrative code list of the codes: vn-2025-07 (the list in force from 1 July 2025) or vn-legacy (the list "
        "before, for data collected with the old codes; counted on the old area and on the new communes it went to)"))


def upload_ref() -> Mapped[str]:
    """The uploaded reference file a row of reference data came from."""
    return mapped_column(ForeignKey("reference_upload.upload_id"), **described(
        "Tệp tham chiếu chứa dòng này (reference_upload.upload_id)",
        "Reference file the row came from (reference_upload.upload_id)"))


def area_level_key() -> Mapped[str]:
    """The level of the area a row of reference data is for (part of its key)."""
    return mapped_column(String(16), primary_key=True, **described(
        "Cấp địa bàn: national, province, commune", "Area level: national, province, commune"))


def area_code_key() -> Mapped[str]:
    """The code of the area a row of reference data is for (part of its key)."""
    return mapped_column(String(8), primary_key=True, **described(
        "Mã địa bàn; VN cho toàn quốc", "Area code; VN for national"))


class Base(DeclarativeBase):
    pass


class RawSubmission(Base):
    """A submission exactly as received; upserted on its identity, the form and the root instance id (``source``
    and ``project``: the route and file or project of the version kept)."""

    __tablename__ = "raw_submission"
    __table_args__ = (
        UniqueConstraint("form_id", "instance_id", name="uq_raw_submission_identity"),
        Index("ix_raw_submission_form_seq", "form_id", "change_seq"),
        Index("ix_raw_submission_source_row", "source", "project", "form_id", "source_row_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    project: Mapped[str] = mapped_column(String(128))
    form_id: Mapped[str] = mapped_column(String(128))
    instance_id: Mapped[str] = mapped_column(String(128))
    source_row_id: Mapped[int | None] = mapped_column(BigInteger)  # the platform's row number (KoboToolbox `_id`)
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
    """Earlier contents of a raw submission, kept when an edit, review, deletion or a newer version from another
    route replaced them (``source`` and ``project``: the route that had brought it)."""

    __tablename__ = "raw_submission_history"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    raw_submission_id: Mapped[int] = mapped_column(ForeignKey("raw_submission.id"), index=True)
    source: Mapped[str | None] = mapped_column(String(64))
    project: Mapped[str | None] = mapped_column(String(128))
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


class WorkAnswers:
    """A child's work in the last 7 days, asked the same way in every form that asks it."""

    working: Mapped[bool] = mapped_column(Boolean, **described(
        "Đang làm việc: econ_activity hoặc temp_absent; luôn đúng với người dưới 18 tuổi gặp khi thanh tra",
        "Working: econ_activity or temp_absent; always true for workers under 18 found at inspections"))
    work_kinds: Mapped[str | None] = mapped_column(String(512), **described(
        "Các loại công việc (mã work_kind, cách nhau bởi dấu cách); trống khi không làm việc",
        "Kinds of work (work_kind codes, space-separated); empty when not working"))
    workplaces: Mapped[str | None] = mapped_column(String(512), **described(
        "Nơi làm việc (mã workplace, cách nhau bởi dấu cách)", "Places of work (workplace codes, space-separated)"))
    sector: Mapped[str | None] = mapped_column(String(32), **described(
        "Ngành: agriculture_forestry_fishery, industry_construction, services",
        "Sector: agriculture_forestry_fishery, industry_construction, services"))
    hours_day: Mapped[float | None] = mapped_column(Float, **described(
        "Số giờ làm việc vào ngày làm nhiều nhất trong 7 ngày qua (0–24)",
        "Hours worked on the longest day of the last 7 days (0–24)"))
    hours_week: Mapped[float | None] = mapped_column(Float, **described(
        "Tổng số giờ làm việc trong 7 ngày qua, mọi công việc (0–112)",
        "Total hours worked in the last 7 days, all jobs (0–112)"))
    night_work: Mapped[bool | None] = mapped_column(Boolean, **described(
        "Làm việc trong khoảng 22 giờ đến 6 giờ sáng trong 7 ngày qua",
        "Worked between 22:00 and 06:00 in the last 7 days"))
    overtime: Mapped[bool | None] = mapped_column(Boolean, **described(
        "Làm thêm giờ ngoài thời giờ làm việc bình thường trong 7 ngày qua",
        "Worked overtime, beyond normal working hours, in the last 7 days"))
    hazards: Mapped[str | None] = mapped_column(String(512), **described(
        "Điều kiện nguy hiểm gặp phải (mã hazard, cách nhau bởi dấu cách; none: không có)",
        "Hazardous conditions met (hazard codes, space-separated; none: no hazard)"))
    performance_approved: Mapped[bool | None] = mapped_column(Boolean, **described(
        "Công việc biểu diễn nghệ thuật, thể thao được cơ quan chuyên môn về lao động cấp tỉnh đồng ý",
        "Performing-arts or sport work approved by the provincial labour authority"))


class ClassificationColumns:
    """A classification under one rule set, with the reasons and the rules version that produced it."""

    rule_set: Mapped[str] = mapped_column(String(16), primary_key=True, **described(
        "Bộ quy tắc: vn_law (Bộ luật Lao động 2019) hoặc icls (định nghĩa thống kê ILO/ICLS)",
        "Rule set: vn_law (Labour Code 2019) or icls (ILO/ICLS statistical definition)"))
    rules_version: Mapped[str] = mapped_column(String(32), **described(
        "Phiên bản tệp quy tắc phân loại đã dùng (child_labour_rules.toml)",
        "Version of the classification rules file used (child_labour_rules.toml)"))
    age_band: Mapped[str] = mapped_column(String(8), **described(
        "Nhóm tuổi báo cáo của bộ quy tắc (vn_law: 5-12, 13-14, 15-17; icls: 5-11, 12-14, 15-17)",
        "Reporting age band of the rule set (vn_law: 5-12, 13-14, 15-17; icls: 5-11, 12-14, 15-17)"))
    working: Mapped[bool] = mapped_column(Boolean, **described(
        "Đang làm việc (hoạt động kinh tế, hoặc tạm nghỉ một công việc)",
        "Working (economic activity, or temporarily away from a job)"))
    child_labour: Mapped[bool] = mapped_column(Boolean, **described(
        "Là lao động trẻ em theo bộ quy tắc", "Child labour under the rule set"))
    hazardous: Mapped[bool] = mapped_column(Boolean, **described(
        "Lao động trẻ em trong công việc, nơi làm việc hoặc điều kiện nguy hiểm, độc hại",
        "Child labour in hazardous work, workplaces or conditions"))
    at_risk: Mapped[bool] = mapped_column(Boolean, **described(
        "Có nguy cơ trở thành lao động trẻ em (điều kiện bật trong tệp quy tắc; có thể đồng thời là lao động trẻ em)",
        "At risk of child labour (conditions switched on in the rules file; a child labourer can be at risk too)"))
    reasons: Mapped[str] = mapped_column(String(1024), **described(
        "Mã lý do của phân loại, cách nhau bởi dấu cách, đã sắp xếp",
        "Reason codes of the classification, space-separated, sorted"))


class Household(Base):
    """One interviewed household (consent or not), de-identified."""

    __tablename__ = "household"
    __table_args__ = described(
        "Hộ gia đình được phỏng vấn (đồng ý hay không), đã bỏ thông tin định danh",
        "Interviewed household (with or without consent), de-identified")

    household_id: Mapped[str] = mapped_column(PseudoId, primary_key=True, **described(
        "Mã hộ gia đình (giả danh: băm có khóa, không chứa thông tin cá nhân)",
        "Household id (pseudonymous: a keyed hash, no personal data)"))
    raw_submission_id: Mapped[int] = raw_submission_ref()
    change_seq: Mapped[int] = change_seq_column()
    source: Mapped[str] = mapped_column(String(64), **described(
        "Kênh nhận bản nộp: odk_central, kobotoolbox, demo, hoặc file:… (tệp xuất)",
        "Route the submission came by: odk_central, kobotoolbox, demo, or file:… (an export file)"))
    form_id: Mapped[str] = mapped_column(String(128), **described(
        "Mã biểu mẫu (household_survey)", "Form id (household_survey)"))
    form_version: Mapped[str | None] = mapped_column(String(64), **described(
        "Phiên bản biểu mẫu của bản nộp", "Form version of the submission"))
    review_state: Mapped[str | None] = mapped_column(String(32), **described(
        "Trạng thái duyệt theo tên của ODK Central (edited, hasIssues, approved…; KoboToolbox quy đổi); trống: "
        "chưa duyệt",
        "Review state in ODK Central's words (edited, hasIssues, approved…; KoboToolbox's mapped); empty: "
        "never reviewed"))
    interview_date: Mapped[date] = mapped_column(Date, **described("Ngày phỏng vấn", "Interview date"))
    year: Mapped[int] = year_of("ngày phỏng vấn", "interview date")
    quarter: Mapped[int] = quarter_of("ngày phỏng vấn", "interview date")
    province_code: Mapped[str] = mapped_column(String(8), index=True, **described(
        "Mã tỉnh, thành phố (theo danh mục code_list_version); trống khi hộ không đồng ý (không hỏi)",
        "Province code (in the code list code_list_version); empty without consent (not asked)"))
    commune_code: Mapped[str] = mapped_column(String(8), index=True, **described(
        "Mã xã, phường, đặc khu (theo danh mục code_list_version); trống khi hộ không đồng ý",
        "Commune code (in the code list code_list_version); empty without consent"))
    code_list_version: Mapped[str] = code_list_column()
    urban_rural: Mapped[str] = mapped_column(String(8), **described(
        "urban (phường) hoặc rural (xã, đặc khu); trống khi hộ không đồng ý",
        "urban (ward) or rural (commune, special zone); empty without consent"))
    enumerator_id: Mapped[str | None] = mapped_column(PseudoId, **described(
        "Mã điều tra viên (giả danh, từ tên đã nhập)", "Enumerator id (pseudonymous, from the name typed)"))
    interview_minutes: Mapped[float | None] = mapped_column(Float, **described(
        "Thời lượng phỏng vấn (phút), từ lúc mở phiếu (start) đến lúc lưu lần cuối (end); trống khi thiết bị "
        "không ghi",
        "Interview length in minutes, from opening the form (start) to its last save (end); empty when the device "
        "recorded neither"))
    consent: Mapped[bool] = mapped_column(Boolean, **described(
        "Hộ đồng ý phỏng vấn; nếu không, các câu trả lời khác để trống",
        "The household agreed to the interview; if not, the other answers are empty"))
    survey_round: Mapped[str | None] = mapped_column(String(32), **described(
        "Đợt khảo sát của đơn vị mẫu đã chọn (sample_frame_unit.round_id); trống: không có thiết kế mẫu, không đại "
        "diện", "Survey round of the sampling unit chosen (sample_frame_unit.round_id); empty: no design, not "
        "representative"))
    psu_code: Mapped[str | None] = mapped_column(String(32), **described(
        "Đơn vị mẫu cấp 1 (thôn, địa bàn điều tra) trong đợt khảo sát (sample_frame_unit.psu_code)",
        "Primary sampling unit (village, enumeration area) in the survey round (sample_frame_unit.psu_code)"))
    hh_size: Mapped[int | None] = mapped_column(Integer, **described(
        "Số nhân khẩu của hộ (1–30)", "People living in the household (1–30)"))
    poverty_status: Mapped[str | None] = mapped_column(String(16), **described(
        "Hộ nghèo: poor (nghèo), near_poor (cận nghèo), not_poor (không nghèo, cận nghèo)",
        "Poverty status: poor, near_poor, not_poor"))
    craft_village: Mapped[bool | None] = mapped_column(Boolean, **described(
        "Hộ sống trong làng nghề", "The household lives in a craft village"))
    livelihood: Mapped[str | None] = mapped_column(String(32), **described(
        "Sinh kế chính (mã livelihood: crop_farming, livestock, craft, trade_services, wage_work…)",
        "Main livelihood (livelihood code: crop_farming, livestock, craft, trade_services, wage_work…)"))
    caregiver_informed: Mapped[str | None] = mapped_column(String(16), **described(
        "Người trả lời được tuyên truyền về phòng ngừa lao động trẻ em (12 tháng qua): "
        "yes, no, dont_know (chỉ tiêu 2.1b)",
        "Respondent informed on preventing child labour in the last 12 months: yes, no, dont_know (indicator 2.1b)"))
    n_children: Mapped[int | None] = mapped_column(Integer, **described(
        "Số trẻ em 5–17 tuổi trong hộ theo người trả lời (0–20)",
        "Children aged 5–17 in the household, as stated (0–20)"))


class Child(WorkAnswers, Base):
    """One child aged 5–17 from a household roster, de-identified."""

    __tablename__ = "child"
    __table_args__ = described(
        "Trẻ em 5–17 tuổi trong danh sách của hộ, đã bỏ thông tin định danh",
        "Child aged 5–17 from a household roster, de-identified")

    child_id: Mapped[str] = mapped_column(PseudoId, primary_key=True, **described(
        "Mã trẻ em (giả danh: băm có khóa, không chứa thông tin cá nhân)",
        "Child id (pseudonymous: a keyed hash, no personal data)"))
    household_id: Mapped[str] = mapped_column(PseudoId, index=True, **described(  # a household (clean_links)
        "Hộ của trẻ (household.household_id)", "The child's household (household.household_id)"))
    change_seq: Mapped[int] = change_seq_column()
    repeat_index: Mapped[int] = mapped_column(Integer, **described(
        "Thứ tự của trẻ trong danh sách của hộ (từ 1)", "Position of the child in the household roster (from 1)"))
    sex: Mapped[str] = mapped_column(String(8), **described("Giới tính: male (nam), female (nữ)", "Sex: male, female"))
    age: Mapped[int] = mapped_column(Integer, **described(
        "Tuổi tròn vào ngày phỏng vấn (5–17)", "Age in completed years on the interview date (5–17)"))
    age_source: Mapped[str] = mapped_column(String(8), **described(
        "Nguồn của tuổi: dob (tính từ ngày sinh) hoặc stated (tuổi được khai)",
        "Where the age comes from: dob (date of birth) or stated"))
    ethnicity: Mapped[str | None] = mapped_column(String(16), **described(
        "Dân tộc: kinh, tay, thai, muong, khmer, hoa, nung, hmong, dao, other",
        "Ethnicity: kinh, tay, thai, muong, khmer, hoa, nung, hmong, dao, other"))
    ethnic_group: Mapped[str | None] = mapped_column(String(8), **described(
        "Nhóm dân tộc: kinh hoặc other (các dân tộc thiểu số)", "Ethnic group: kinh or other (ethnic minorities)"))
    school_status: Mapped[str | None] = mapped_column(String(16), **described(
        "Tình trạng đi học: attending (đang đi học), dropped_out (đã bỏ học), never_attended (chưa từng đi học)",
        "Schooling: attending, dropped_out, never_attended"))
    grade: Mapped[int | None] = mapped_column(Integer, **described(
        "Lớp đang học (1–12); trống với mẫu giáo hoặc học nghề",
        "Grade attended (1–12); empty for kindergarten or vocational training"))
    econ_activity: Mapped[bool] = mapped_column(Boolean, **described(
        "Làm việc ít nhất 1 giờ để có thu nhập hoặc phụ giúp sản xuất, kinh doanh của gia đình trong 7 ngày qua",
        "Worked at least 1 hour for pay or in the family's farm or business in the last 7 days"))
    temp_absent: Mapped[bool] = mapped_column(Boolean, **described(
        "Có công việc như vậy nhưng tạm nghỉ trong 7 ngày qua (ốm, nghỉ mùa vụ…)",
        "Has such work but was away from it in the last 7 days (ill, off-season…)"))
    chores_hours_week: Mapped[float | None] = mapped_column(Float, **described(
        "Số giờ làm việc nhà trong 7 ngày qua (0–112)", "Hours of household chores in the last 7 days (0–112)"))
    worked_12m: Mapped[bool | None] = mapped_column(Boolean, **described(
        "Thường xuyên làm việc trong 12 tháng qua", "Usually worked in the last 12 months"))
    child_informed: Mapped[str | None] = mapped_column(String(16), **described(
        "Trẻ được tuyên truyền về phòng ngừa lao động trẻ em (12 tháng qua): yes, no, dont_know (chỉ tiêu 2.2)",
        "Child informed on preventing child labour in the last 12 months: yes, no, dont_know (indicator 2.2)"))


class RestrictedHouseholdPii(Base):
    """Identifying household answers: only for case workers with the right to see them."""

    __tablename__ = "restricted_household_pii"

    household_id: Mapped[str] = mapped_column(PseudoId, primary_key=True)  # a household (warehouse.schema.clean_links)
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

    child_id: Mapped[str] = mapped_column(PseudoId, primary_key=True)  # a child (clean_links)
    household_id: Mapped[str] = mapped_column(PseudoId)  # a household's children: through child.household_id
    child_name: Mapped[str | None] = mapped_column(Text)
    dob: Mapped[date | None] = mapped_column(Date)


class RestrictedEnumerator(Base):
    """The name typed for each pseudonymous enumerator id (one of the spellings that give it): for data managers
    following up a data-quality flag."""

    __tablename__ = "restricted_enumerator"

    enumerator_id: Mapped[str] = mapped_column(PseudoId, primary_key=True)
    enumerator: Mapped[str] = mapped_column(Text)


class DataQualityFlag(Base):
    """One finding of the survey teams' data-quality checks (``warehouse.quality``): never a change to the data."""

    __tablename__ = "data_quality_flag"
    __table_args__ = described(
        "Cờ kiểm tra chất lượng dữ liệu khảo sát hộ (thời lượng, số phiếu mỗi ngày, tỷ lệ từ chối, hộ trùng, giá trị "
        "bất thường, phúc tra); không sửa đổi số liệu",
        "Data-quality flag of the household survey (duration, interviews a day, refusal shares, duplicate "
        "households, outliers, back-checks); never changes the data")

    check: Mapped[str] = mapped_column(String(32), primary_key=True, **described(
        "Mã phép kiểm tra (data_quality.toml): too_short, too_many_a_day, refusals, no_work, duplicate_household, "
        "hh_size, hours_day, hours_week, chores_hours_week, age_grade, back_check",
        "Check code (data_quality.toml): too_short, too_many_a_day, refusals, no_work, duplicate_household, "
        "hh_size, hours_day, hours_week, chores_hours_week, age_grade, back_check"))
    subject_id: Mapped[str] = mapped_column(String(48), primary_key=True, **described(
        "Đối tượng bị gắn cờ: mã hộ, mã trẻ, mã điều tra viên, hoặc mã điều tra viên và ngày (nối bởi dấu gạch "
        "đứng)",
        "What is flagged: a household id, a child id, an enumerator id, or an enumerator id and a day (joined by a "
        "vertical bar)"))
    enumerator_id: Mapped[str | None] = mapped_column(PseudoId, index=True, **described(
        "Mã điều tra viên (giả danh)", "Enumerator id (pseudonymous)"))
    interview_date: Mapped[date | None] = mapped_column(Date, **described(
        "Ngày phỏng vấn; trống với cờ của cả quá trình làm việc của một điều tra viên",
        "Interview date; empty for a flag on an enumerator's whole work"))
    household_id: Mapped[str | None] = mapped_column(PseudoId, **described(
        "Hộ bị gắn cờ (household.household_id)", "The household flagged (household.household_id)"))
    other_household_id: Mapped[str | None] = mapped_column(PseudoId, **described(
        "Hộ còn lại của cặp hộ trùng (household.household_id)",
        "The other household of a duplicate pair (household.household_id)"))
    child_id: Mapped[str | None] = mapped_column(PseudoId, **described(
        "Trẻ bị gắn cờ (child.child_id)", "The child flagged (child.child_id)"))
    province_code: Mapped[str] = mapped_column(String(8), **described(
        "Mã tỉnh của hộ; trống với cờ của một điều tra viên", "Province code of the household; empty for an "
        "enumerator's flag"))
    commune_code: Mapped[str] = mapped_column(String(8), **described(
        "Mã xã của hộ; trống với cờ của một điều tra viên", "Commune code of the household; empty for an "
        "enumerator's flag"))
    value: Mapped[float | None] = mapped_column(Float, **described(
        "Giá trị đã đo (phút, số phiếu, tỷ lệ, mét, giờ, người, năm, số câu khác nhau)",
        "The value measured (minutes, interviews, share, metres, hours, people, years, answers that differ)"))
    threshold: Mapped[float | None] = mapped_column(Float, **described(
        "Ngưỡng đã vượt (data_quality.toml); với tỷ lệ: tỷ lệ của các điều tra viên khác",
        "The threshold crossed (data_quality.toml); for a share: the other enumerators' share"))
    rules_version: Mapped[str] = mapped_column(String(32), **described(
        "Phiên bản tệp ngưỡng data_quality.toml", "Version of the thresholds file data_quality.toml"))


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


class ChildClassification(ClassificationColumns, Base):
    """A household-survey child's classification under one rule set."""

    __tablename__ = "child_classification"
    __table_args__ = described(
        "Phân loại của trẻ em trong khảo sát hộ theo từng bộ quy tắc",
        "A household-survey child's classification under each rule set")

    child_id: Mapped[str] = mapped_column(PseudoId, primary_key=True, **described(  # a child (clean_links)
        "Trẻ được phân loại (child.child_id)", "The child classified (child.child_id)"))


class IndicatorValue(Base):
    """One published cell of an indicator: source, area, period and disaggregation, against its target.

    ``value`` is a share (``unit`` "share") or a number of days (``unit`` "days"); suppressed cells carry no
    numbers; ``exact_territory`` is false on old (pre-2025) territories approximated by new communes.
    """

    __tablename__ = "indicator_value"
    __table_args__ = {
        "sqlite_with_rowid": False,  # the rows live in the key's tree: written once, not twice
        **described(
            "Một ô đã công bố của một chỉ tiêu: nguồn, bộ quy tắc, kỳ, địa bàn, phân tổ, so với mục tiêu",
            "One published cell of an indicator: source, rule set, period, area, disaggregation, against its target"),
    }

    indicator_id: Mapped[str] = mapped_column(String(16), primary_key=True, **described(
        "Mã chỉ tiêu (1.1 đến 4.2c, danh mục indicators.toml)",
        "Indicator id (1.1 to 4.2c, catalogue indicators.toml)"))
    source: Mapped[str] = mapped_column(String(32), primary_key=True, **described(
        "Nguồn dữ liệu: household_survey, inspections, cases, activities, activities_inspections",
        "Data source: household_survey, inspections, cases, activities, activities_inspections"))
    rule_set: Mapped[str] = mapped_column(String(16), primary_key=True, **described(
        "Bộ quy tắc: vn_law, icls; trống khi chỉ tiêu không dựa trên phân loại",
        "Rule set: vn_law, icls; empty when the indicator is not based on a classification"))
    period: Mapped[str] = mapped_column(String(16), primary_key=True, **described(
        "Kỳ: năm (2026), 6 tháng (2026-H1) hoặc quý (2026-Q3)",
        "Period: a year (2026), a half-year (2026-H1) or a quarter (2026-Q3)"))
    area_level: Mapped[str] = area_level_key()
    area_code: Mapped[str] = area_code_key()
    code_list_version: Mapped[str] = mapped_column(String(32), primary_key=True, **described(
        "Danh mục của mã địa bàn: national, vn-2025-07, hoặc vn-legacy (địa bàn trước 01/7/2025 có mục tiêu riêng)",
        "Code list of the area code: national, vn-2025-07, or vn-legacy (a pre-July-2025 area with its own targets)"))
    dimension: Mapped[str] = mapped_column(String(32), primary_key=True, **described(
        "Phân tổ: total, sex, age_band, urban_rural, ethnic_group, poverty_status, work_sector (ngành của công việc),"
        " craft_village (hộ trong làng nghề), case_type, establishment_type, service_type",
        "Breakdown: total, sex, age_band, urban_rural, ethnic_group, poverty_status, work_sector (sector of the"
        " child's work), craft_village (household in a craft village), case_type, establishment_type, service_type"))
    dimension_value: Mapped[str] = mapped_column(String(32), primary_key=True, **described(
        "Giá trị của phân tổ; all với total; unknown: không trả lời. work_sector: mã ngành của biểu mẫu, hoặc"
        " not_working (trẻ không làm việc); craft_village: yes, no",
        "Value of the disaggregation; all for total; unknown: not answered. work_sector: the form's sector code, or"
        " not_working (the child does not work); craft_village: yes, no"))
    period_type: Mapped[str] = mapped_column(String(8), **described(
        "Loại kỳ: year, half (6 tháng) hoặc quarter", "Period type: year, half (half-year) or quarter"))
    unit: Mapped[str] = mapped_column(String(8), **described(
        "Đơn vị của value: share (tỷ lệ 0–1) hoặc days (số ngày, trung vị)",
        "Unit of value: share (0–1) or days (a median)"))
    rules_version: Mapped[str | None] = mapped_column(String(32), **described(
        "Phiên bản quy tắc phân loại đã dùng; trống khi không dựa trên phân loại",
        "Classification rules version used; empty when not based on a classification"))
    numerator: Mapped[int | None] = mapped_column(Integer, **described(
        "Tử số; trống khi ô bị che", "Numerator; empty when the cell is suppressed"))
    denominator: Mapped[int | None] = mapped_column(Integer, **described(
        "Mẫu số; trống khi ô bị che, không có mẫu số, hoặc đơn vị là ngày",
        "Denominator; empty when suppressed, when there is none, or when the unit is days"))
    value: Mapped[float | None] = mapped_column(Float, **described(
        "Giá trị: tỷ lệ (0–1) hoặc số ngày; trống khi ô bị che hoặc không có số liệu",
        "Value: a share (0–1) or a number of days; empty when suppressed or without data"))
    ci_low: Mapped[float | None] = mapped_column(Float, **described(
        "Cận dưới khoảng tin cậy 95% (tỷ lệ từ khảo sát mẫu; cách tính: interval_method)",
        "Lower bound of the 95% interval (survey proportions; how: interval_method)"))
    ci_high: Mapped[float | None] = mapped_column(Float, **described(
        "Cận trên khoảng tin cậy 95% (tỷ lệ từ khảo sát mẫu; cách tính: interval_method)",
        "Upper bound of the 95% interval (survey proportions; how: interval_method)"))
    suppressed: Mapped[bool] = mapped_column(Boolean, **described(
        "Ô bị che để bảo vệ trẻ em, không có số liệu (chính sách disclosure.toml; lý do: suppression_reason)",
        "Suppressed cell, to protect children: no numbers (policy disclosure.toml; why: suppression_reason)"))
    suppression_reason: Mapped[str | None] = mapped_column(String(16), **described(
        "Lý do che: small_count (số nhỏ ở địa bàn nhỏ) hoặc complementary (che thêm để không ô bị che nào tính "
        "ra được bằng phép trừ); trống khi không bị che",
        "Why suppressed: small_count (a small count in a small area) or complementary (hidden too, so that no "
        "suppressed cell can be worked out by subtraction); empty when not suppressed"))
    exact_territory: Mapped[bool] = mapped_column(Boolean, **described(
        "Sai khi địa bàn cũ (trước 2025) được tính gần đúng bằng các xã mới có phần nằm ngoài địa bàn",
        "False when an old (pre-2025) area is approximated by new communes partly outside it"))
    target_year: Mapped[int | None] = mapped_column(Integer, **described(
        "Năm của mục tiêu áp dụng: năm mục tiêu sớm nhất không trước kỳ, nếu không có thì năm muộn nhất",
        "Year of the target applied: the earliest target year not before the period, else the latest"))
    target_comparator: Mapped[str | None] = mapped_column(String(16), **described(
        "Phép so sánh của mục tiêu: <, <=, >=, >, hoặc minimise (càng giảm càng tốt)",
        "Comparator of the target: <, <=, >=, >, or minimise (the lower the better)"))
    target_value: Mapped[float | None] = mapped_column(Float, **described(
        "Giá trị mục tiêu; trống với minimise", "Target value; empty for minimise"))
    target_source: Mapped[str | None] = mapped_column(Text, **described(
        "Văn bản kế hoạch đặt mục tiêu", "Plan document that sets the target"))
    gap: Mapped[float | None] = mapped_column(Float, **described(
        "Chênh lệch value − target_value", "Difference value − target_value"))
    status: Mapped[str] = mapped_column(String(16), **described(
        "met (đạt), on_track (kịp tiến độ), off_track (chậm tiến độ), no_data, no_denominator, suppressed, no_target",
        "met, on_track, off_track, no_data, no_denominator, suppressed, no_target"))
    approval: Mapped[str] = mapped_column(String(16), default="provisional", server_default="provisional", **described(
        "Số liệu tạm thời (provisional) hay đã được phê duyệt (approved) cho địa bàn và kỳ này (bảng approval)",
        "Figures provisional or approved for this area and period (table approval)"))
    design_kind: Mapped[str | None] = mapped_column(String(16), **described(
        "Thiết kế của tỷ lệ khảo sát: sample (mẫu phân tầng, ước lượng có trọng số), census (tổng điều tra: giá trị "
        "chính xác), no_design (không có thiết kế mẫu: không đại diện); trống với số liệu hành chính",
        "Design of a survey proportion: sample (stratified sample, weighted estimate), census (every household: "
        "exact value), no_design (no sample design: not representative); empty for administrative data"))
    interval_method: Mapped[str | None] = mapped_column(String(16), **described(
        "Cách tính khoảng tin cậy: korn_graubard (theo thiết kế mẫu), wilson_srs (giả định mẫu ngẫu nhiên đơn "
        "giản), exact (tổng điều tra, không có sai số chọn mẫu)",
        "How the interval was made: korn_graubard (design-based), wilson_srs (assumes a simple random sample), "
        "exact (census, no sampling error)"))
    deff: Mapped[float | None] = mapped_column(Float, **described(
        "Hiệu ứng thiết kế: phương sai theo thiết kế chia cho phương sai của mẫu ngẫu nhiên đơn giản cùng cỡ",
        "Design effect: the design-based variance over that of a simple random sample of the same size"))
    effective_n: Mapped[float | None] = mapped_column(Float, **described(
        "Cỡ mẫu hiệu dụng p(1−p)/phương sai (Korn–Graubard)", "Effective sample size p(1−p)/variance (Korn–Graubard)"))
    coverage: Mapped[float | None] = mapped_column(Float, **described(
        "Tổng điều tra: số hộ được phỏng vấn trên số hộ trong danh sách",
        "Census: households interviewed out of households listed"))


class RestrictedIndicatorValue(Base):
    """Every indicator cell with its numbers, before disclosure control: ``warehouse.indicators.disclosure`` makes
    ``indicator_value`` from it (here nothing is suppressed). The owner's alone, for accountable officers: the
    small counts of children are here. Not an analyst table."""

    __table__ = IndicatorValue.__table__.to_metadata(Base.metadata, name="restricted_indicator_value")
    for _item in (__table__, *__table__.columns):  # the data dictionary describes analysts' tables only
        _item.comment, _item.info = None, {}
    del _item


class ReferenceUpload(Base):
    """One reference-data file as loaded: targets or reference populations, versioned by content."""

    __tablename__ = "reference_upload"

    upload_id: Mapped[str] = mapped_column(String(64), primary_key=True)  # kind + SHA-256 of the content
    kind: Mapped[str] = mapped_column(String(32))  # targets | populations
    file_name: Mapped[str] = mapped_column(String(256))
    content_sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    loaded_at: Mapped[str] = mapped_column(String(40))


class Target(Base):
    """A plan's target for an indicator, tied to the jurisdiction (and code list) it was written for."""

    __tablename__ = "target"
    __table_args__ = described(
        "Mục tiêu của một kế hoạch cho một chỉ tiêu, gắn với địa bàn và danh mục mã mà kế hoạch được viết cho",
        "A plan's target for an indicator, tied to the jurisdiction and code list it was written for")

    indicator_id: Mapped[str] = mapped_column(String(16), primary_key=True, **described(
        "Mã chỉ tiêu (indicator_value.indicator_id)", "Indicator id (indicator_value.indicator_id)"))
    jurisdiction_level: Mapped[str] = mapped_column(String(16), primary_key=True, **described(
        "Cấp địa bàn của kế hoạch: national, province, commune",
        "Level of the plan's jurisdiction: national, province, commune"))
    jurisdiction_code: Mapped[str] = mapped_column(String(8), primary_key=True, **described(
        "Mã địa bàn của kế hoạch; VN cho toàn quốc", "Code of the plan's jurisdiction; VN for national"))
    code_list_version: Mapped[str] = mapped_column(String(32), primary_key=True, **described(
        "Danh mục của mã: national, vn-legacy (trước 01/7/2025) hoặc vn-2025-07",
        "Code list of the code: national, vn-legacy (before 1 July 2025) or vn-2025-07"))
    year: Mapped[int] = mapped_column(Integer, primary_key=True, **described(
        "Năm phải đạt mục tiêu", "Year by which the target is to be met"))
    valid_from: Mapped[int | None] = mapped_column(Integer, **described(
        "Năm đầu mục tiêu được tính; trống: mọi năm trước năm mục tiêu",
        "First year the target counts for; empty: every year before the target year"))
    valid_to: Mapped[int | None] = mapped_column(Integer, **described(
        "Năm cuối mục tiêu được tính; trống: các năm sau vẫn theo mục tiêu gần nhất",
        "Last year the target counts for; empty: later years keep the latest target"))
    jurisdiction_name: Mapped[str] = mapped_column(Text, **described(
        "Tên địa bàn của kế hoạch", "Name of the plan's jurisdiction"))
    comparator: Mapped[str] = mapped_column(String(16), **described(
        "Phép so sánh: <, <=, >=, >, hoặc minimise (càng giảm càng tốt)",
        "Comparator: <, <=, >=, >, or minimise (the lower the better)"))
    value: Mapped[float | None] = mapped_column(Float, **described(
        "Giá trị mục tiêu (tỷ lệ 0–1 hoặc số ngày); trống với minimise",
        "Target value (a share 0–1 or days); empty for minimise"))
    source_document: Mapped[str] = mapped_column(Text, **described(
        "Văn bản kế hoạch đặt mục tiêu", "Plan document that sets the target"))
    note: Mapped[str | None] = mapped_column(Text, **described(
        "Ghi chú, thường là mục tiêu như văn bản viết", "Note, usually the target as the document words it"))
    upload_id: Mapped[str] = upload_ref()


class ReferencePopulation(Base):
    """How many people or units an area has (teachers, caregivers, officials, enterprises …) in a year."""

    __tablename__ = "reference_population"
    __table_args__ = described(
        "Số người hoặc đơn vị của một địa bàn trong một năm: mẫu số của các chỉ tiêu 2.x và 3.x",
        "How many people or units an area has in a year: the denominators of indicators 2.x and 3.x")

    area_level: Mapped[str] = area_level_key()
    area_code: Mapped[str] = area_code_key()
    code_list_version: Mapped[str] = mapped_column(String(32), primary_key=True, **described(
        "Danh mục của mã địa bàn", "Code list of the area code"))
    year: Mapped[int] = mapped_column(Integer, primary_key=True, **described("Năm", "Year"))
    population_group: Mapped[str] = mapped_column(String(48), primary_key=True, **described(
        "Nhóm: teachers_staff, caregivers, children_5_17, commune_officials, enterprises, cooperatives…",
        "Group: teachers_staff, caregivers, children_5_17, commune_officials, enterprises, cooperatives…"))
    value: Mapped[int] = mapped_column(Integer, **described(
        "Số người (hoặc doanh nghiệp, hợp tác xã, hộ)", "Number of people (or enterprises, cooperatives, households)"))
    source: Mapped[str | None] = mapped_column(Text, **described("Nguồn số liệu", "Where the figure comes from"))
    upload_id: Mapped[str] = upload_ref()


class ReportingExpectation(Base):
    """A report a commune is expected to send for a period, with its deadline: one period of a row of an uploaded
    expected-reporting file (``warehouse.reference.expected_reporting``)."""

    __tablename__ = "reporting_expectation"
    __table_args__ = described(
        "Báo cáo một xã phải gửi cho một kỳ, với hạn nộp (từ tệp kế hoạch báo cáo do cán bộ quản lý dữ liệu tải lên)",
        "A report a commune is expected to send for a period, with its deadline (from an uploaded "
        "expected-reporting file)")

    form_id: Mapped[str] = mapped_column(String(64), primary_key=True, **described(
        "Biểu mẫu: activity_report, household_survey, workplace_inspection",
        "Form: activity_report, household_survey, workplace_inspection"))
    commune_code: Mapped[str] = mapped_column(String(8), primary_key=True, **described(
        "Mã xã, phường, đặc khu", "Commune code"))
    code_list_version: Mapped[str] = mapped_column(String(32), primary_key=True, **described(
        "Danh mục của mã xã", "Code list of the commune code"))
    period: Mapped[str] = mapped_column(String(32), primary_key=True, **described(
        "Kỳ: 2026-Q2 (quý), 2026 (năm) hoặc 2026-06-01/2026-07-31 (một đợt)",
        "Period: 2026-Q2 (quarter), 2026 (year) or 2026-06-01/2026-07-31 (one round)"))
    frequency: Mapped[str] = mapped_column(String(16), **described(
        "Tần suất: quarterly, yearly, once", "Frequency: quarterly, yearly, once"))
    period_start: Mapped[date] = mapped_column(Date, **described("Ngày đầu kỳ", "First day of the period"))
    period_end: Mapped[date] = mapped_column(Date, **described("Ngày cuối kỳ", "Last day of the period"))
    deadline: Mapped[date] = mapped_column(Date, **described(
        "Hạn nộp (ngày cuối kỳ + số ngày được phép), theo giờ Việt Nam",
        "Deadline (last day of the period + the days allowed), Vietnam time"))
    expected: Mapped[int] = mapped_column(Integer, **described(
        "Số bản nộp cần có trong kỳ (báo cáo, hộ được phỏng vấn, cơ sở được thanh tra)",
        "Submissions the period needs (reports, households interviewed, establishments inspected)"))
    note: Mapped[str | None] = mapped_column(Text, **described("Ghi chú", "Note"))
    source_row: Mapped[int] = mapped_column(Integer, **described(
        "Dòng của tệp tải lên sinh ra kỳ này", "Row of the uploaded file this period comes from"))
    upload_id: Mapped[str] = upload_ref()


class SampleFrameUnit(Base):
    """A sampling unit of a survey round (a census round lists every village of its communes)."""

    __tablename__ = "sample_frame_unit"
    __table_args__ = described(
        "Đơn vị mẫu (thôn, địa bàn điều tra) của một đợt khảo sát, với tầng, xác suất chọn hoặc trọng số hộ, và số "
        "hộ trong danh sách", "Sampling unit (village, enumeration area) of a survey round, with its stratum, "
        "selection probability or household weight, and households listed")

    round_id: Mapped[str] = mapped_column(String(32), primary_key=True, **described(
        "Mã đợt khảo sát", "Survey round id"))
    psu_code: Mapped[str] = mapped_column(String(32), primary_key=True, **described(
        "Mã đơn vị mẫu cấp 1 trong đợt", "Primary sampling unit code within the round"))
    design: Mapped[str] = mapped_column(String(8), **described(
        "census (mọi hộ của các xã trong danh sách) hoặc sample (mẫu)",
        "census (every household of the listed communes) or sample"))
    commune_code: Mapped[str] = mapped_column(String(8), **described(
        "Mã xã, phường, đặc khu (danh mục hiện hành)", "Commune code (current code list)"))
    psu_name: Mapped[str] = mapped_column(Text, **described(
        "Tên thôn, tổ dân phố hoặc địa bàn điều tra", "Name of the village or enumeration area"))
    stratum: Mapped[str] = mapped_column(String(32), **described(
        "Tầng chọn mẫu (ví dụ tỉnh × thành thị/nông thôn)", "Sampling stratum (e.g. province × urban/rural)"))
    psu_probability: Mapped[float | None] = mapped_column(Float, **described(
        "Xác suất chọn đơn vị mẫu; trống khi có trọng số hộ", "Selection probability of the unit; empty when "
        "household_weight is given"))
    household_weight: Mapped[float | None] = mapped_column(Float, **described(
        "Trọng số hộ đã điều chỉnh (nếu có thì dùng thay xác suất chọn)",
        "Adjusted household weight (used instead of the selection probability when given)"))
    households_listed: Mapped[int] = mapped_column(Integer, **described(
        "Số hộ trong danh sách của đơn vị mẫu", "Households listed in the unit"))
    upload_id: Mapped[str] = upload_ref()


class ProgrammeSite(Base):
    """A commune (or an old district) where a programme runs a pilot or a model, and when
    (``warehouse.reference.programme_registers``)."""

    __tablename__ = "programme_site"
    __table_args__ = described(
        "Địa bàn thí điểm hoặc xây dựng mô hình của một chương trình, dự án (xã hoặc huyện cũ) và thời gian thực hiện",
        "A place (commune or old district) where a programme runs a pilot or a model, and when")

    programme_id: Mapped[str] = mapped_column(String(32), primary_key=True, **described(
        "Mã chương trình, dự án hoặc mô hình (do người tải lên đặt)", "Programme, project or model code (set by "
        "the uploader)"))
    area_level: Mapped[str] = mapped_column(String(16), primary_key=True, **described(
        "Cấp địa bàn: commune (xã) hoặc district (huyện cũ, danh mục vn-legacy)",
        "Area level: commune, or district (an old district, code list vn-legacy)"))
    area_code: Mapped[str] = mapped_column(String(8), primary_key=True, **described(
        "Mã xã hoặc huyện", "Commune or district code"))
    code_list_version: Mapped[str] = mapped_column(String(32), primary_key=True, **described(
        "Danh mục của mã: vn-2025-07 hoặc vn-legacy (trước 01/7/2025)",
        "Code list of the code: vn-2025-07 or vn-legacy (before 1 July 2025)"))
    valid_from: Mapped[date] = mapped_column(Date, primary_key=True, **described(
        "Ngày bắt đầu thí điểm, mô hình tại địa bàn", "First day of the pilot or model in the area"))
    valid_to: Mapped[date | None] = mapped_column(Date, **described(
        "Ngày kết thúc; trống: còn đang thực hiện", "Last day; empty: still running"))
    programme_name: Mapped[str] = mapped_column(Text, **described(
        "Tên chương trình, dự án hoặc mô hình", "Name of the programme, project or model"))
    site_kind: Mapped[str] = mapped_column(String(16), **described(
        "pilot (thí điểm) hoặc model (mô hình)", "pilot or model"))
    source_document: Mapped[str] = mapped_column(Text, **described(
        "Văn bản quy định địa bàn", "Document that names the site"))
    upload_id: Mapped[str] = upload_ref()


class IndicatorResponsibility(Base):
    """The sector and agency responsible for an indicator (or a part of it) in a jurisdiction."""

    __tablename__ = "indicator_responsibility"
    __table_args__ = described(
        "Ngành, cơ quan chịu trách nhiệm thực hiện và báo cáo một chỉ tiêu (hoặc một phần của chỉ tiêu) trên một "
        "địa bàn, theo kế hoạch", "The sector and agency responsible for carrying out and reporting an indicator "
        "(or a part of it) in a jurisdiction, as the plan assigns it")

    indicator_id: Mapped[str] = mapped_column(String(16), primary_key=True, **described(
        "Mã chỉ tiêu (indicator_value.indicator_id)", "Indicator id (indicator_value.indicator_id)"))
    jurisdiction_level: Mapped[str] = mapped_column(String(16), primary_key=True, **described(
        "Cấp địa bàn của kế hoạch: national, province, commune",
        "Level of the plan's jurisdiction: national, province, commune"))
    jurisdiction_code: Mapped[str] = mapped_column(String(8), primary_key=True, **described(
        "Mã địa bàn của kế hoạch; VN cho toàn quốc", "Code of the plan's jurisdiction; VN for national"))
    code_list_version: Mapped[str] = mapped_column(String(32), primary_key=True, **described(
        "Danh mục của mã: national, vn-legacy hoặc vn-2025-07", "Code list of the code: national, vn-legacy or "
        "vn-2025-07"))
    part: Mapped[str] = mapped_column(String(32), primary_key=True, **described(
        "Phần của chỉ tiêu khi kế hoạch chia cho nhiều ngành: all (cả chỉ tiêu), community (tại cộng đồng), "
        "school (trong trường học)", "Part of the indicator when the plan splits it between sectors: all (the "
        "whole indicator), community, school"))
    sector: Mapped[str] = mapped_column(String(32), **described(
        "Ngành chịu trách nhiệm: labour, education, police, agriculture, industry_trade, information, "
        "youth_union, cooperatives, other", "Responsible sector: labour, education, police, agriculture, "
        "industry_trade, information, youth_union, cooperatives, other"))
    agency: Mapped[str] = mapped_column(Text, **described(
        "Cơ quan chủ trì (ví dụ Sở Lao động - Thương binh và Xã hội)",
        "Lead agency (e.g. the Department of Labour, Invalids and Social Affairs)"))
    source_document: Mapped[str] = mapped_column(Text, **described(
        "Văn bản kế hoạch giao nhiệm vụ", "Plan document that assigns it"))
    upload_id: Mapped[str] = upload_ref()


class BudgetLine(Base):
    """Money allocated to and spent on one activity line of the plan, in an area and year (đồng)."""

    __tablename__ = "budget_line"
    __table_args__ = described(
        "Kinh phí được giao và đã chi cho một nhóm hoạt động của kế hoạch, theo địa bàn, năm và nguồn (đồng)",
        "Money allocated to and spent on one activity line of the plan, by area, year and source (đồng)")

    area_level: Mapped[str] = area_level_key()
    area_code: Mapped[str] = area_code_key()
    code_list_version: Mapped[str] = mapped_column(String(32), primary_key=True, **described(
        "Danh mục của mã địa bàn", "Code list of the area code"))
    year: Mapped[int] = mapped_column(Integer, primary_key=True, **described("Năm ngân sách", "Budget year"))
    activity_line: Mapped[str] = mapped_column(String(32), primary_key=True, **described(
        "Nhóm hoạt động: communication, training, models, inspection, support, monitoring, coordination, other",
        "Activity line: communication, training, models, inspection, support, monitoring, coordination, other"))
    funding_source: Mapped[str] = mapped_column(String(32), primary_key=True, **described(
        "Nguồn kinh phí: state_budget (ngân sách nhà nước), donor (tài trợ, viện trợ), social (xã hội hoá), other",
        "Funding source: state_budget, donor (grants and aid), social (mobilised from society), other"))
    allocated: Mapped[int] = mapped_column(BigInteger, **described(
        "Kinh phí được giao (dự toán), đồng", "Amount allocated (budgeted), đồng"))
    spent: Mapped[int | None] = mapped_column(BigInteger, **described(
        "Kinh phí đã chi (quyết toán hoặc đến nay), đồng; trống: chưa báo cáo",
        "Amount spent (settled or to date), đồng; empty: not reported yet"))
    source_document: Mapped[str] = mapped_column(Text, **described(
        "Văn bản giao dự toán hoặc báo cáo quyết toán", "Budget decision or spending report"))
    upload_id: Mapped[str] = upload_ref()


class ReportingCompleteness(Base):
    """Whether a commune sent what it was expected to for a period, and in time (``warehouse.quality.completeness``)."""

    __tablename__ = "reporting_completeness"
    __table_args__ = described(
        "Xã đã gửi đủ và đúng hạn những gì phải gửi cho một kỳ hay chưa: đúng hạn, muộn, chưa nộp",
        "Whether a commune sent what it was expected to for a period, and in time: on time, late, missing")

    form_id: Mapped[str] = mapped_column(String(64), primary_key=True, **described(
        "Biểu mẫu: activity_report, household_survey, workplace_inspection",
        "Form: activity_report, household_survey, workplace_inspection"))
    commune_code: Mapped[str] = mapped_column(String(8), primary_key=True, **described(
        "Mã xã, phường, đặc khu", "Commune code"))
    code_list_version: Mapped[str] = mapped_column(String(32), primary_key=True, **described(
        "Danh mục của mã xã", "Code list of the commune code"))
    period: Mapped[str] = mapped_column(String(32), primary_key=True, **described(
        "Kỳ: 2026-Q2 (quý), 2026 (năm) hoặc 2026-06-01/2026-07-31 (một đợt)",
        "Period: 2026-Q2 (quarter), 2026 (year) or 2026-06-01/2026-07-31 (one round)"))
    province_code: Mapped[str] = mapped_column(String(8), **described("Mã tỉnh, thành phố", "Province code"))
    commune_name: Mapped[str] = mapped_column(Text, **described("Tên xã, phường, đặc khu", "Commune name"))
    period_start: Mapped[date] = mapped_column(Date, **described("Ngày đầu kỳ", "First day of the period"))
    period_end: Mapped[date] = mapped_column(Date, **described("Ngày cuối kỳ", "Last day of the period"))
    deadline: Mapped[date] = mapped_column(Date, **described("Hạn nộp, theo giờ Việt Nam", "Deadline, Vietnam time"))
    expected: Mapped[int] = mapped_column(Integer, **described(
        "Số bản nộp cần có trong kỳ", "Submissions the period needs"))
    received: Mapped[int] = mapped_column(Integer, **described(
        "Số bản nộp đã nhận có ngày sự kiện trong kỳ (chỉ bản nộp hợp lệ; bị cách ly hoặc bị từ chối không tính)",
        "Submissions received dated within the period (valid ones only: quarantined or rejected do not count)"))
    on_time: Mapped[int] = mapped_column(Integer, **described(
        "Trong đó, nhận được trước hết hạn nộp", "Of which received by the end of the deadline"))
    late: Mapped[int] = mapped_column(Integer, **described(
        "Trong đó, nhận được sau hạn nộp", "Of which received after the deadline"))
    missing: Mapped[int] = mapped_column(Integer, **described(
        "Số bản nộp còn thiếu so với số cần có", "Submissions still missing from those needed"))
    completed_on: Mapped[date | None] = mapped_column(Date, **described(
        "Ngày nhận đủ số bản nộp cần có (giờ Việt Nam); trống khi chưa đủ",
        "Day the needed submissions were all received (Vietnam time); empty while some are missing"))
    status: Mapped[str] = mapped_column(String(16), **described(
        "on_time (đủ, đúng hạn), late (đủ nhưng sau hạn), missing (quá hạn mà chưa đủ), not_due (chưa đến hạn)",
        "on_time (complete by the deadline), late (complete after it), missing (deadline passed, not complete), "
        "not_due (deadline not passed yet)"))
    as_of: Mapped[date] = mapped_column(Date, **described(
        "Ngày đánh giá: bản nộp nhận sau ngày này không được tính", "Day assessed: submissions received later do "
        "not count"))


class LegacyCommune(Base):
    """A pre-July-2025 commune and a new commune its territory went to (one row per pair: splits kept)."""

    __tablename__ = "legacy_commune"
    __table_args__ = described(
        "Một xã cũ (trước 01/7/2025) và một xã mới nhận lãnh thổ của nó (mỗi cặp một dòng)",
        "A pre-July-2025 commune and a new commune its territory went to (one row per pair)")

    legacy_code: Mapped[str] = mapped_column(String(8), primary_key=True, **described("Mã xã cũ", "Old commune code"))
    commune_code: Mapped[str] = mapped_column(String(8), primary_key=True, **described(
        "Mã xã mới (vn-2025-07); trống khi không có", "New commune code (vn-2025-07); empty when none"))
    legacy_name: Mapped[str] = mapped_column(Text, **described("Tên xã cũ", "Old commune name"))
    legacy_district_code: Mapped[str | None] = mapped_column(String(8), **described("Mã huyện cũ", "Old district code"))
    legacy_district_name: Mapped[str | None] = mapped_column(Text, **described("Tên huyện cũ", "Old district name"))
    legacy_province_code: Mapped[str] = mapped_column(String(8), index=True, **described(
        "Mã tỉnh cũ", "Old province code"))
    legacy_province_name: Mapped[str] = mapped_column(Text, **described("Tên tỉnh cũ", "Old province name"))
    province_code: Mapped[str | None] = mapped_column(String(8), **described(
        "Mã tỉnh mới (vn-2025-07)", "New province code (vn-2025-07)"))
    partly_merged: Mapped[bool] = mapped_column(Boolean, **described(
        "Xã cũ chỉ được nhập một phần vào xã mới này", "Only part of the old commune went to this new commune"))


class AreaCommune(Base):
    """Which new communes make up each reporting area, old (pre-2025) territories included.

    ``exact`` is false when a new commune also covers land outside the area (a commune formed across the
    old boundary): measurements on such an area are approximate and say so.
    """

    __tablename__ = "area_commune"
    __table_args__ = described(
        "Các xã mới hợp thành mỗi địa bàn báo cáo, kể cả địa bàn cũ trước 2025",
        "The new communes that make up each reporting area, old (pre-2025) areas included")

    area_level: Mapped[str] = area_level_key()
    area_code: Mapped[str] = mapped_column(String(8), primary_key=True, **described("Mã địa bàn", "Area code"))
    code_list_version: Mapped[str] = mapped_column(String(32), primary_key=True, **described(
        "Danh mục của mã địa bàn: vn-2025-07 hoặc vn-legacy", "Code list of the area code: vn-2025-07 or vn-legacy"))
    commune_code: Mapped[str] = mapped_column(String(8), primary_key=True, index=True, **described(
        "Mã xã mới (vn-2025-07) thuộc địa bàn", "New commune (vn-2025-07) in the area"))
    area_name: Mapped[str] = mapped_column(Text, **described("Tên địa bàn", "Area name"))
    exact: Mapped[bool] = mapped_column(Boolean, **described(
        "Sai khi xã mới còn gồm lãnh thổ ngoài địa bàn: số đo của địa bàn là gần đúng",
        "False when the new commune also covers land outside the area: the area's figures are approximate"))


class Inspection(Base):
    """One establishment inspected, de-identified."""

    __tablename__ = "inspection"
    __table_args__ = described(
        "Cơ sở sản xuất, kinh doanh được thanh tra, kiểm tra, đã bỏ thông tin định danh",
        "Establishment inspected, de-identified")

    inspection_id: Mapped[str] = mapped_column(PseudoId, primary_key=True, **described(
        "Mã lần thanh tra (giả danh: băm có khóa, không chứa thông tin cá nhân)",
        "Inspection id (pseudonymous: a keyed hash, no personal data)"))
    raw_submission_id: Mapped[int] = raw_submission_ref()
    change_seq: Mapped[int] = change_seq_column()
    source: Mapped[str] = mapped_column(String(64), **described(
        "Kênh nhận bản nộp: odk_central, kobotoolbox, demo, hoặc file:… (tệp xuất)",
        "Route the submission came by: odk_central, kobotoolbox, demo, or file:… (an export file)"))
    form_version: Mapped[str | None] = mapped_column(String(64), **described(
        "Phiên bản biểu mẫu của bản nộp", "Form version of the submission"))
    inspection_date: Mapped[date] = mapped_column(Date, **described("Ngày thanh tra, kiểm tra", "Inspection date"))
    year: Mapped[int] = year_of("ngày thanh tra", "inspection date")
    quarter: Mapped[int] = quarter_of("ngày thanh tra", "inspection date")
    province_code: Mapped[str] = province_column()
    commune_code: Mapped[str] = commune_column()
    code_list_version: Mapped[str] = code_list_column()
    inspection_kind: Mapped[str | None] = mapped_column(String(16), **described(
        "Hình thức: periodic (định kỳ), surprise (đột xuất), follow_up (kiểm tra lại việc khắc phục)",
        "Kind: periodic, surprise, follow_up (checking that violations were remedied)"))
    inspecting_agency: Mapped[str | None] = mapped_column(String(32), **described(
        "Cơ quan, đoàn kiểm tra (mã inspecting_agency: labour_inspectorate, agriculture, police, joint_commune_team…);"
        " trống trước phiên bản biểu mẫu 2026120702",
        "Inspecting agency or team (inspecting_agency code: labour_inspectorate, agriculture, police,"
        " joint_commune_team…); empty before form version 2026120702"))
    inspector_id: Mapped[str | None] = mapped_column(PseudoId, **described(
        "Mã thanh tra viên (giả danh, từ tên đã nhập)", "Inspector id (pseudonymous, from the name typed)"))
    establishment_type: Mapped[str] = mapped_column(String(32), **described(
        "Loại cơ sở: enterprise, cooperative, household_business, craft_village_workshop, farm",
        "Establishment type: enterprise, cooperative, household_business, craft_village_workshop, farm"))
    enterprise_size: Mapped[str | None] = mapped_column(String(16), **described(
        "Quy mô doanh nghiệp: micro, small, medium, large", "Enterprise size: micro, small, medium, large"))
    sector: Mapped[str | None] = mapped_column(String(32), **described(
        "Ngành: agriculture_forestry_fishery, industry_construction, services",
        "Sector: agriculture_forestry_fishery, industry_construction, services"))
    craft_village: Mapped[bool | None] = mapped_column(Boolean, **described(
        "Cơ sở nằm trong làng nghề", "The establishment is in a craft village"))
    total_workers: Mapped[int | None] = mapped_column(Integer, **described(
        "Tổng số người làm việc tại cơ sở, kể cả chủ, người nhà và người học nghề",
        "People working at the establishment, owner, family and apprentices included"))
    n_young_workers: Mapped[int] = mapped_column(Integer, **described(
        "Số người dưới 18 tuổi làm việc tại cơ sở", "Workers under 18 found"))
    employer_informed: Mapped[str | None] = mapped_column(String(16), **described(
        "Chủ cơ sở từng được tuyên truyền về phòng ngừa lao động trẻ em: yes, no, dont_know (chỉ tiêu 2.3)",
        "Employer ever informed about preventing child labour: yes, no, dont_know (indicator 2.3)"))
    employer_informed_date: Mapped[date | None] = mapped_column(Date, **described(
        "Tháng được cung cấp thông tin lần gần nhất (không sau ngày thanh tra)",
        "Month the employer was last informed (not after the inspection)"))
    employer_trained: Mapped[str | None] = mapped_column(String(16), **described(
        "Chủ cơ sở từng được tập huấn về phòng ngừa lao động trẻ em: yes, no, dont_know (chỉ tiêu 3.2)",
        "Employer ever trained on preventing child labour: yes, no, dont_know (indicator 3.2)"))
    employer_trained_date: Mapped[date | None] = mapped_column(Date, **described(
        "Tháng được tập huấn lần gần nhất (không sau ngày thanh tra)",
        "Month the employer was last trained (not after the inspection)"))
    violations: Mapped[str | None] = mapped_column(String(512), **described(
        "Vi phạm phát hiện (mã violation, cách nhau bởi dấu cách; none: không có)",
        "Violations found (violation codes, space-separated; none: no violation)"))
    actions: Mapped[str | None] = mapped_column(String(128), **described(
        "Biện pháp xử lý: advice, warning, fine, police_referral, none (cách nhau bởi dấu cách)",
        "Actions taken: advice, warning, fine, police_referral, none (space-separated)"))
    fine_amount: Mapped[int | None] = mapped_column(BigInteger, **described(
        "Tổng số tiền phạt (đồng); bắt buộc khi có biện pháp fine", "Total fine (VND); required with the action fine"))


class YoungWorker(WorkAnswers, Base):
    """A worker under 18 found at an inspection, de-identified."""

    __tablename__ = "young_worker"
    __table_args__ = described(
        "Người lao động dưới 18 tuổi gặp khi thanh tra, đã bỏ thông tin định danh",
        "Worker under 18 found at an inspection, de-identified")

    worker_id: Mapped[str] = mapped_column(PseudoId, primary_key=True, **described(
        "Mã người lao động (giả danh: băm có khóa, không chứa thông tin cá nhân)",
        "Worker id (pseudonymous: a keyed hash, no personal data)"))
    inspection_id: Mapped[str] = mapped_column(
        ForeignKey("inspection.inspection_id", ondelete="CASCADE"), index=True, **described(
            "Lần thanh tra (inspection.inspection_id)", "The inspection (inspection.inspection_id)"))
    change_seq: Mapped[int] = change_seq_column()
    repeat_index: Mapped[int] = mapped_column(Integer, **described(
        "Thứ tự trong danh sách người dưới 18 tuổi của lần thanh tra (từ 1)",
        "Position in the inspection's list of workers under 18 (from 1)"))
    sex: Mapped[str] = mapped_column(String(8), **described("Giới tính: male (nam), female (nữ)", "Sex: male, female"))
    age: Mapped[int] = mapped_column(Integer, **described(
        "Tuổi tròn vào ngày thanh tra (5–17)", "Age in completed years on the inspection date (5–17)"))
    age_source: Mapped[str] = mapped_column(String(8), **described(
        "Nguồn của tuổi: dob (tính từ ngày sinh) hoặc stated (tuổi được khai)",
        "Where the age comes from: dob (date of birth) or stated"))
    in_register: Mapped[bool | None] = mapped_column(Boolean, **described(
        "Có tên trong sổ theo dõi riêng người lao động chưa thành niên của cơ sở",
        "Entered in the establishment's register of workers under 18"))
    contract_signed: Mapped[bool | None] = mapped_column(Boolean, **described(
        "Có hợp đồng lao động bằng văn bản với người lao động và cha mẹ hoặc người giám hộ",
        "A written contract signed with the worker and a parent or guardian"))
    health_certificate: Mapped[bool | None] = mapped_column(Boolean, **described(
        "Cơ sở có giấy khám sức khỏe xác nhận sức khỏe phù hợp với công việc",
        "The establishment holds a medical certificate that the worker's health suits the work"))
    health_checkups: Mapped[bool | None] = mapped_column(Boolean, **described(
        "Cơ sở tổ chức khám sức khỏe định kỳ ít nhất 6 tháng một lần",
        "The establishment arranges a health check-up at least every 6 months"))


class YoungWorkerClassification(ClassificationColumns, Base):
    """A young worker's classification under one rule set (the same rules as household-survey children)."""

    __tablename__ = "young_worker_classification"
    __table_args__ = described(
        "Phân loại của người lao động dưới 18 tuổi theo từng bộ quy tắc (cùng quy tắc như trẻ em khảo sát hộ)",
        "A young worker's classification under each rule set (the same rules as household-survey children)")

    worker_id: Mapped[str] = mapped_column(
        ForeignKey("young_worker.worker_id", ondelete="CASCADE"), primary_key=True, **described(
            "Người lao động được phân loại (young_worker.worker_id)", "The worker classified (young_worker.worker_id)")
    )


class RestrictedInspectionPii(Base):
    """Identifying inspection answers: establishment and inspector names, GPS."""

    __tablename__ = "restricted_inspection_pii"

    inspection_id: Mapped[str] = mapped_column(
        ForeignKey("inspection.inspection_id", ondelete="CASCADE"), primary_key=True
    )
    establishment_name: Mapped[str | None] = mapped_column(Text)
    craft_village_name: Mapped[str | None] = mapped_column(Text)
    inspector: Mapped[str | None] = mapped_column(Text)
    gps_lat: Mapped[float | None] = mapped_column(Float)
    gps_lon: Mapped[float | None] = mapped_column(Float)


class RestrictedYoungWorkerPii(Base):
    __tablename__ = "restricted_young_worker_pii"

    worker_id: Mapped[str] = mapped_column(ForeignKey("young_worker.worker_id", ondelete="CASCADE"), primary_key=True)
    inspection_id: Mapped[str] = mapped_column(PseudoId, index=True)
    worker_name: Mapped[str | None] = mapped_column(Text)
    dob: Mapped[date | None] = mapped_column(Date)


class Case(Base):
    """A child identified as a child labourer or at risk: one case per child, the register's row.

    Created by the pipeline from the classification (``subject_kind`` child or young_worker, ``subject_id`` its
    pseudonymous id); ``case_id`` is the ``cases`` entity id on ODK Central and the ``name`` of ``cases.csv``.
    The current state (status, first support, visits) is recomputed from the visits.
    """

    __tablename__ = "case_register"
    __table_args__ = described(
        "Trường hợp: trẻ được xác định là lao động trẻ em hoặc có nguy cơ (vn_law); trạng thái tính từ các lần thăm",
        "Case: a child identified as a child labourer or at risk (vn_law); its state comes from the visits")

    case_id: Mapped[str] = mapped_column(String(36), primary_key=True, **described(
        "Mã trường hợp: UUID từ mã giả danh của trẻ (thực thể cases trên ODK Central mang nó với chữ số phiên bản 4)",
        "Case id: a UUID from the subject's pseudonymous id (on ODK Central's cases entity: with version digit 4)"))
    case_code: Mapped[str] = mapped_column(String(16), unique=True, **described(
        "Mã ngắn của trường hợp (C-…), không đổi khi đã cấp", "Short case code (C-…), never changed once given"))
    subject_kind: Mapped[str] = mapped_column(String(16), **described(
        "Đối tượng: child (trẻ trong khảo sát hộ), young_worker (người lao động gặp khi thanh tra) hoặc report (trẻ "
        "được thông báo, case_report)",
        "Subject: child (household survey), young_worker (found at an inspection) or report (a reported child, "
        "case_report)"))
    subject_id: Mapped[str] = mapped_column(PseudoId, index=True, **described(
        "Mã giả danh của đối tượng (child.child_id, young_worker.worker_id hoặc case_report.report_id)",
        "Pseudonymous id of the subject (child.child_id, young_worker.worker_id or case_report.report_id)"))
    identified_source: Mapped[str] = mapped_column(String(32), **described(
        "Nguồn xác định: household_survey, inspection, hoặc người thông báo (reporter_type của case_report)",
        "Identified by: household_survey, inspection, or who reported (case_report.reporter_type)"))
    identified_on: Mapped[date] = mapped_column(Date, **described(
        "Ngày xác định: ngày phỏng vấn, ngày thanh tra hoặc ngày xác định ghi khi sàng lọc thông báo",
        "Date identified: the interview or inspection date, or the identification date of a screened report"))
    year: Mapped[int] = year_of("ngày xác định", "date identified")
    quarter: Mapped[int] = quarter_of("ngày xác định", "date identified")
    province_code: Mapped[str] = province_column()
    commune_code: Mapped[str] = commune_column()
    code_list_version: Mapped[str] = code_list_column()
    sex: Mapped[str] = mapped_column(String(8), **described("Giới tính: male (nam), female (nữ)", "Sex: male, female"))
    age_band: Mapped[str] = mapped_column(String(8), **described(
        "Nhóm tuổi vn_law khi được xác định: 5-12, 13-14, 15-17",
        "vn_law age band when identified: 5-12, 13-14, 15-17"))
    case_type: Mapped[str] = mapped_column(String(16), **described(
        "Loại: child_labourer (lao động trẻ em), at_risk (có nguy cơ) hoặc trafficked (bị mua bán để bóc lột sức lao "
        "động, theo thông báo)",
        "Type: child_labourer, at_risk or trafficked (for labour exploitation, from a report)"))
    status: Mapped[str] = mapped_column(String(16), **described(
        "Trạng thái theo lần thăm gần nhất: open (chưa hỗ trợ), supported, monitoring, closed; open khi chưa thăm",
        "Status from the latest visit: open (not yet supported), supported, monitoring, closed; open before any visit"))
    first_support_on: Mapped[date | None] = mapped_column(Date, **described(
        "Ngày hỗ trợ đầu tiên: ngày sớm nhất được ghi, nếu không thì lần thăm đầu tiên có hỗ trợ",
        "First support: the earliest date recorded, else the first visit that recorded a support"))
    visits: Mapped[int] = mapped_column(Integer, **described("Số lần thăm", "Number of visits"))
    last_visit_on: Mapped[date | None] = mapped_column(Date, **described(
        "Ngày thăm gần nhất", "Date of the latest visit"))
    closed_on: Mapped[date | None] = mapped_column(Date, **described(
        "Ngày đóng hồ sơ (ngày của lần thăm đóng hồ sơ)", "Date closed (the date of the visit that closed it)"))
    closure_reason: Mapped[str | None] = mapped_column(String(32), **described(
        "Lý do đóng hồ sơ: no_longer_working, turned_18, moved, duplicate",
        "Closure reason: no_longer_working, turned_18, moved, duplicate"))
    in_education_at_last_visit: Mapped[bool | None] = mapped_column(Boolean, **described(
        "Đang đi học hoặc học nghề ở lần thăm gần nhất (chỉ tiêu 1.3)",
        "In school or vocational training at the latest visit (indicator 1.3)"))
    child_labour_at_last_visit: Mapped[bool | None] = mapped_column(Boolean, **described(
        "Còn là lao động trẻ em (vn_law) ở lần thăm gần nhất", "Still in child labour (vn_law) at the latest visit"))
    state: Mapped[str] = mapped_column(String(16), **described(
        "Bước của quy trình (case_workflow.toml): screened, assessed, plan, services, follow_up, closed",
        "Workflow step (case_workflow.toml): screened, assessed, plan, services, follow_up, closed"))
    urgent: Mapped[bool] = mapped_column(Boolean, **described(
        "Khẩn cấp: đánh giá gần nhất ghi nguy cơ cao, hoặc chưa đánh giá mà khẩn cấp khi tiếp nhận (thời hạn thăm "
        "tiếp theo rút ngắn)",
        "Urgent: the latest assessment found a high risk, or none yet and urgent when reported (the shorter "
        "follow-up limit)"))
    urgent_at_report: Mapped[bool] = mapped_column(Boolean, **described(
        "Khẩn cấp khi tiếp nhận: một thông báo về trẻ ghi khẩn cấp; các thời hạn tính từ thông báo (đánh giá, kế "
        "hoạch, hỗ trợ đầu tiên, chỉ số 1.2) rút ngắn theo Nghị định 56/2017",
        "Urgent when reported: a report of the child said emergency; the limits counted from the report "
        "(assessment, plan, first support, indicator 1.2) are the shorter ones of Decree 56/2017"))
    due_on: Mapped[date | None] = mapped_column(Date, **described(
        "Hạn của bước tiếp theo (đánh giá, kế hoạch, hỗ trợ đầu tiên, lần thăm tới); trống khi đã đóng",
        "When the next step is due (assessment, plan, first support, next visit); blank once closed"))
    second_visit_on: Mapped[date | None] = mapped_column(Date, **described(
        "Ngày của lần thăm theo dõi thứ hai", "Date of the second follow-up visit"))
    child_labour_at_second_visit: Mapped[bool | None] = mapped_column(Boolean, **described(
        "Còn là lao động trẻ em (vn_law) ở lần thăm theo dõi thứ hai",
        "Still in child labour (vn_law) at the second follow-up visit"))


class CaseVisit(WorkAnswers, Base):
    """One follow-up visit to a case, de-identified, with the child's work re-classified (vn_law)."""

    __tablename__ = "case_visit"
    __table_args__ = described(
        "Lần thăm theo dõi một trường hợp, đã bỏ thông tin định danh; công việc của trẻ được phân loại lại (vn_law)",
        "Follow-up visit to a case, de-identified; the child's work re-classified (vn_law)")

    visit_id: Mapped[str] = mapped_column(PseudoId, primary_key=True, **described(
        "Mã lần thăm (giả danh: băm có khóa, không chứa thông tin cá nhân)",
        "Visit id (pseudonymous: a keyed hash, no personal data)"))
    raw_submission_id: Mapped[int] = raw_submission_ref()
    change_seq: Mapped[int] = change_seq_column()
    case_id: Mapped[str] = mapped_column(String(36), index=True, **described(
        "Trường hợp được thăm (case_register.case_id)", "The case visited (case_register.case_id)"))
    visit_date: Mapped[date] = mapped_column(Date, **described("Ngày thăm", "Visit date"))
    year: Mapped[int] = year_of("ngày thăm", "visit date")
    quarter: Mapped[int] = quarter_of("ngày thăm", "visit date")
    case_worker_id: Mapped[str | None] = mapped_column(PseudoId, **described(
        "Mã cán bộ theo dõi (giả danh, từ tên đã nhập)", "Case worker id (pseudonymous, from the name typed)"))
    case_source: Mapped[str | None] = mapped_column(String(32), **described(
        "Nguồn phát hiện theo cán bộ: household_survey, inspection, hotline_111, school, police, community, "
        "health_worker, child_family, other_commune",
        "How the case was found (case worker): household_survey, inspection, hotline_111, school, police, community, "
        "health_worker, child_family, other_commune"))
    case_type: Mapped[str | None] = mapped_column(String(16), **described(
        "Loại trường hợp theo cán bộ: at_risk, child_labourer, trafficked (bị mua bán để bóc lột sức lao động)",
        "Case type per the case worker: at_risk, child_labourer, trafficked (for labour exploitation)"))
    age: Mapped[int] = mapped_column(Integer, **described(
        "Tuổi của trẻ (5–18; 18 khi lần thăm đóng hồ sơ vì trẻ đủ tuổi)",
        "The child's age (5–18; 18 at the visit closing the case on coming of age)"))
    econ_activity: Mapped[bool] = mapped_column(Boolean, **described(
        "Làm việc ít nhất 1 giờ để có thu nhập hoặc phụ giúp sản xuất, kinh doanh của gia đình trong 7 ngày qua",
        "Worked at least 1 hour for pay or in the family's farm or business in the last 7 days"))
    temp_absent: Mapped[bool] = mapped_column(Boolean, **described(
        "Có công việc như vậy nhưng tạm nghỉ trong 7 ngày qua (ốm, nghỉ mùa vụ…)",
        "Has such work but was away from it in the last 7 days (ill, off-season…)"))
    chores_hours_week: Mapped[float | None] = mapped_column(Float, **described(
        "Số giờ làm việc nhà trong 7 ngày qua (0–112)", "Hours of household chores in the last 7 days (0–112)"))
    school_status: Mapped[str | None] = mapped_column(String(16), **described(
        "Tình trạng đi học: attending (đang đi học), dropped_out (đã bỏ học), never_attended (chưa từng đi học)",
        "Schooling: attending, dropped_out, never_attended"))
    vocational_training: Mapped[bool | None] = mapped_column(Boolean, **described(
        "Trẻ đang học nghề", "The child is in vocational training"))
    supports: Mapped[str | None] = mapped_column(String(256), **described(
        "Hỗ trợ đã nhận (mã support_type, cách nhau bởi dấu cách; none: chưa được hỗ trợ)",
        "Supports received (support_type codes, space-separated; none: no support yet)"))
    first_support_date: Mapped[date | None] = mapped_column(Date, **described(
        "Ngày hỗ trợ, can thiệp lần đầu (không sau ngày thăm)",
        "Date of the first support or intervention (not after the visit)"))
    case_status: Mapped[str] = mapped_column(String(16), **described(
        "Trạng thái sau lần thăm: open, supported, monitoring, closed",
        "Status after the visit: open, supported, monitoring, closed"))
    closure_reason: Mapped[str | None] = mapped_column(String(32), **described(
        "Lý do đóng hồ sơ (khi closed): no_longer_working, turned_18, moved, duplicate",
        "Closure reason (when closed): no_longer_working, turned_18, moved, duplicate"))
    next_visit: Mapped[date | None] = mapped_column(Date, **described(
        "Ngày dự kiến thăm lần tới", "Planned date of the next visit"))
    case_state: Mapped[str | None] = mapped_column(String(16), **described(
        "Bước của hồ sơ sau lần thăm (case_workflow.toml); phiên bản biểu mẫu cũ: suy ra từ case_status",
        "The case's workflow step after the visit (case_workflow.toml); older form versions: from case_status"))
    assessed: Mapped[bool | None] = mapped_column(Boolean, **described(
        "Có đánh giá nguy cơ, nhu cầu của trẻ tại lần thăm", "The child's risks and needs assessed at the visit"))
    risk_level: Mapped[str | None] = mapped_column(String(8), **described(
        "Mức độ nguy cơ khi đánh giá: high, medium, low", "Risk level when assessed: high, medium, low"))
    needs: Mapped[str | None] = mapped_column(String(256), **described(
        "Nhu cầu hỗ trợ khi đánh giá (mã support_type, cách nhau bởi dấu cách)",
        "Support needed when assessed (support_type codes, space-separated)"))
    plan_date: Mapped[date | None] = mapped_column(Date, **described(
        "Ngày phê duyệt kế hoạch hỗ trợ, can thiệp", "Date the support and intervention plan was approved"))
    plan_review_date: Mapped[date | None] = mapped_column(Date, **described(
        "Ngày rà soát kế hoạch", "Date the plan is to be reviewed"))
    supervisor_id: Mapped[str | None] = mapped_column(PseudoId, **described(
        "Mã cán bộ giám sát đồng ý đóng hồ sơ (giả danh, từ tên đã nhập)",
        "Supervisor who signed off the closure (pseudonymous, from the name typed)"))
    signoff_date: Mapped[date | None] = mapped_column(Date, **described(
        "Ngày cán bộ giám sát ký đồng ý đóng hồ sơ", "Date the supervisor signed off the closure"))
    rules_version: Mapped[str | None] = mapped_column(String(32), **described(
        "Phiên bản tệp quy tắc phân loại đã dùng (child_labour_rules.toml); trống đến khi bước phân loại chạy",
        "Version of the classification rules file used (child_labour_rules.toml); empty until the classification "
        "step runs"))
    child_labour: Mapped[bool | None] = mapped_column(Boolean, **described(
        "Là lao động trẻ em (vn_law) ở lần thăm này", "Child labour (vn_law) at this visit"))
    reasons: Mapped[str | None] = mapped_column(String(1024), **described(
        "Mã lý do của phân loại vn_law, cách nhau bởi dấu cách, đã sắp xếp",
        "Reason codes of the vn_law classification, space-separated, sorted"))


class CaseService(Base):
    """A service or referral recorded at a follow-up visit; the provider's name stays in the raw submission."""

    __tablename__ = "case_service"
    __table_args__ = described(
        "Dịch vụ hỗ trợ, chuyển gửi ghi tại một lần thăm (tên nơi cung cấp chỉ ở bản nộp gốc)",
        "Service or referral recorded at a follow-up visit (the provider's name only in the raw submission)")

    visit_id: Mapped[str] = mapped_column(ForeignKey("case_visit.visit_id", ondelete="CASCADE"), primary_key=True,
                                          **described("Lần thăm (case_visit.visit_id)", "The visit (case_visit.visit_id)"))
    repeat_index: Mapped[int] = mapped_column(Integer, primary_key=True, **described(
        "Thứ tự trong lần thăm (từ 1)", "Position in the visit (from 1)"))
    case_id: Mapped[str] = mapped_column(String(36), index=True, **described(
        "Trường hợp (case_register.case_id)", "The case (case_register.case_id)"))
    service_type: Mapped[str] = mapped_column(String(32), **described(
        "Loại dịch vụ (mã support_type)", "Type of service (a support_type code)"))
    provider: Mapped[str] = mapped_column(String(32), **described(
        "Loại nơi cung cấp (mã provider)", "Kind of provider (a provider code)"))
    referred_date: Mapped[date] = mapped_column(Date, **described("Ngày chuyển gửi", "Date referred"))
    service_outcome: Mapped[str] = mapped_column(String(16), **described(
        "Kết quả: received, waiting, refused, not_available", "Outcome: received, waiting, refused, not_available"))
    received_date: Mapped[date | None] = mapped_column(Date, **described(
        "Ngày nhận được dịch vụ", "Date the service was received"))


class CaseStateHistory(Base):
    """Each case's steps through the workflow, from its identification; rebuilt from the visits on every run."""

    __tablename__ = "case_state_history"
    __table_args__ = described(
        "Lịch sử các bước của từng hồ sơ theo quy trình (case_workflow.toml), từ khi xác định",
        "Each case's history of workflow steps (case_workflow.toml), from its identification")

    case_id: Mapped[str] = mapped_column(String(36), primary_key=True, **described(
        "Trường hợp (case_register.case_id)", "The case (case_register.case_id)"))
    step: Mapped[int] = mapped_column(Integer, primary_key=True, **described(
        "Thứ tự (0: khi xác định)", "Order (0: when identified)"))
    from_state: Mapped[str | None] = mapped_column(String(16), **described(
        "Bước trước (trống ở bước 0)", "The step before (blank at step 0)"))
    to_state: Mapped[str] = mapped_column(String(16), **described("Bước sau", "The step after"))
    changed_on: Mapped[date] = mapped_column(Date, **described(
        "Ngày chuyển (ngày xác định hoặc ngày thăm)", "Date of the move (identification or visit date)"))
    visit_id: Mapped[str | None] = mapped_column(PseudoId, **described(
        "Lần thăm ghi bước này (trống ở bước 0)", "The visit that recorded it (blank at step 0)"))
    workflow_version: Mapped[str] = mapped_column(String(16), **described(
        "Phiên bản tệp quy trình đã dùng để kiểm tra", "Version of the workflow file the move was checked against"))


class CaseReport(Base):
    """A report of a child received by a commune officer, and its screening; de-identified (the names, phones and
    free text are in ``restricted_case_report_pii``)."""

    __tablename__ = "case_report"
    __table_args__ = described(
        "Thông báo về một trẻ mà cán bộ xã tiếp nhận (tổng đài 111, công an, nhà trường, cộng đồng…) và kết quả sàng "
        "lọc; đã bỏ thông tin định danh",
        "A report of a child received by a commune officer (helpline 111, police, school, community…) and its "
        "screening; de-identified")

    report_id: Mapped[str] = mapped_column(PseudoId, primary_key=True, **described(
        "Mã thông báo (giả danh: băm có khóa, không chứa thông tin cá nhân)",
        "Report id (pseudonymous: a keyed hash, no personal data)"))
    raw_submission_id: Mapped[int] = raw_submission_ref()
    change_seq: Mapped[int] = change_seq_column()
    report_code: Mapped[str] = mapped_column(String(16), **described(
        "Mã ngắn của thông báo (R-…), dùng trong bảng quyết định ghép trường hợp",
        "Short report code (R-…), used in the sheets deciding case matches"))
    report_date: Mapped[date] = mapped_column(Date, **described(
        "Ngày tiếp nhận thông tin, thông báo", "Date the report was received"))
    year: Mapped[int] = year_of("ngày tiếp nhận", "date received")
    quarter: Mapped[int] = quarter_of("ngày tiếp nhận", "date received")
    officer_id: Mapped[str | None] = mapped_column(PseudoId, **described(
        "Mã cán bộ tiếp nhận (giả danh, từ tên đã nhập)", "Receiving officer id (pseudonymous, from the name typed)"))
    reporter_type: Mapped[str] = mapped_column(String(32), **described(
        "Người thông báo: hotline_111, police, school, community, health_worker, child_family, other_commune, "
        "household_survey, inspection",
        "Who reported: hotline_111, police, school, community, health_worker, child_family, other_commune, "
        "household_survey, inspection"))
    report_channel: Mapped[str | None] = mapped_column(String(16), **described(
        "Hình thức tiếp nhận: phone, in_person, written, electronic",
        "How it was received: phone, in_person, written, electronic"))
    sex: Mapped[str] = mapped_column(String(8), **described("Giới tính: male (nam), female (nữ)", "Sex: male, female"))
    age: Mapped[int] = mapped_column(Integer, **described(
        "Tuổi của trẻ vào ngày tiếp nhận (5–17)", "The child's age on the date received (5–17)"))
    age_source: Mapped[str] = mapped_column(String(8), **described(
        "Nguồn của tuổi: dob (từ ngày sinh) hoặc stated (tuổi được khai)",
        "Where the age comes from: dob (date of birth) or stated"))
    age_band: Mapped[str] = mapped_column(String(8), **described(
        "Nhóm tuổi vn_law: 5-12, 13-14, 15-17", "vn_law age band: 5-12, 13-14, 15-17"))
    case_type: Mapped[str] = mapped_column(String(16), **described(
        "Nhóm theo thông báo: at_risk, child_labourer, trafficked (bị mua bán để bóc lột sức lao động)",
        "Category reported: at_risk, child_labourer, trafficked (for labour exploitation)"))
    province_code: Mapped[str] = province_column()
    commune_code: Mapped[str] = commune_column()
    code_list_version: Mapped[str] = code_list_column()
    urgency: Mapped[str] = mapped_column(String(16), **described(
        "Mức độ khẩn cấp: emergency (cần can thiệp ngay), normal",
        "Urgency: emergency (immediate intervention), normal"))
    screening_outcome: Mapped[str] = mapped_column(String(16), **described(
        "Kết quả sàng lọc: open_case (mở hồ sơ), no_case (không mở), pending (chưa sàng lọc xong)",
        "Screening outcome: open_case, no_case, pending (not screened yet)"))
    identification_date: Mapped[date | None] = mapped_column(Date, **described(
        "Ngày xác định trường hợp (khi open_case): thời hạn hỗ trợ tính từ ngày này",
        "Date the case was identified (open_case): the time limits for support count from it"))
    no_case_reason: Mapped[str | None] = mapped_column(String(32), **described(
        "Lý do không mở hồ sơ (khi no_case): not_child_labour, not_found, other_area, other_reason",
        "Why no case was opened (no_case): not_child_labour, not_found, other_area, other_reason"))


class RestrictedCaseReportPii(Base):
    """Identifying answers of a case report: the child, the guardian, the reporter, the officer, the summary."""

    __tablename__ = "restricted_case_report_pii"

    report_id: Mapped[str] = mapped_column(ForeignKey("case_report.report_id", ondelete="CASCADE"), primary_key=True)
    officer: Mapped[str | None] = mapped_column(Text)
    reporter_name: Mapped[str | None] = mapped_column(Text)
    reporter_phone: Mapped[str | None] = mapped_column(Text)
    child_name: Mapped[str | None] = mapped_column(Text)
    dob: Mapped[date | None] = mapped_column(Date)
    guardian_name: Mapped[str | None] = mapped_column(Text)
    guardian_phone: Mapped[str | None] = mapped_column(Text)
    village: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)


class CaseReportMatch(Base):
    """The case each report that opened a case belongs to, and how (:mod:`warehouse.cases.case_matching`)."""

    __tablename__ = "case_report_match"
    __table_args__ = described(
        "Trường hợp mà mỗi thông báo (đã mở hồ sơ) thuộc về, và cách ghép",
        "The case each report that opened a case belongs to, and how it was matched")

    report_id: Mapped[str] = mapped_column(PseudoId, primary_key=True, **described(
        "Thông báo (case_report.report_id)", "The report (case_report.report_id)"))
    case_id: Mapped[str] = mapped_column(String(36), index=True, **described(
        "Trường hợp (case_register.case_id)", "The case (case_register.case_id)"))
    matched: Mapped[str] = mapped_column(String(16), **described(
        "Cách ghép: new (mở trường hợp mới), exact (trùng khớp với một trường hợp), decided (theo quyết định của "
        "cán bộ), undecided (có thể trùng, chờ quyết định; tạm mở trường hợp riêng)",
        "How: new (a new case), exact (the same child as one case), decided (by a person's decision), undecided "
        "(possible matches awaiting a decision; a case of its own meanwhile)"))


class RestrictedCaseMatchCandidate(Base):
    """A case that may be the reported child, for a person to decide (names compared only through keyed hashes)."""

    __tablename__ = "restricted_case_match_candidate"

    report_id: Mapped[str] = mapped_column(PseudoId, primary_key=True)  # case_report.report_id
    case_id: Mapped[str] = mapped_column(String(36), primary_key=True)  # case_register.case_id
    reason: Mapped[str] = mapped_column(String(32))  # several_exact | birth_year_uncertain | other_commune


class RestrictedCaseMatchDecision(Base):
    """A person's decision on a candidate: the same child (``same``) or not (``different``)."""

    __tablename__ = "restricted_case_match_decision"

    report_id: Mapped[str] = mapped_column(PseudoId, primary_key=True)  # case_report.report_id
    case_id: Mapped[str] = mapped_column(String(36), primary_key=True)  # case_register.case_id
    decision: Mapped[str] = mapped_column(String(16))  # same | different
    decided_on: Mapped[date] = mapped_column(Date)
    decided_by_id: Mapped[str] = mapped_column(PseudoId)  # pseudonymous id of the name in the sheet


class Activity(Base):
    """One communication activity or training course; free text (title, venue, organiser) is restricted."""

    __tablename__ = "activity"
    __table_args__ = described(
        "Hoạt động truyền thông hoặc lớp tập huấn; nội dung tự do (tên, địa điểm, đơn vị tổ chức) chỉ ở bảng hạn chế",
        "Communication activity or training course; free text (title, venue, organiser) is only in a restricted table")

    activity_id: Mapped[str] = mapped_column(PseudoId, primary_key=True, **described(
        "Mã hoạt động (giả danh: băm có khóa, không chứa thông tin cá nhân)",
        "Activity id (pseudonymous: a keyed hash, no personal data)"))
    raw_submission_id: Mapped[int] = raw_submission_ref()
    change_seq: Mapped[int] = change_seq_column()
    source: Mapped[str] = mapped_column(String(64), **described(
        "Kênh nhận bản nộp: odk_central, kobotoolbox, demo, hoặc file:… (tệp xuất)",
        "Route the submission came by: odk_central, kobotoolbox, demo, or file:… (an export file)"))
    form_version: Mapped[str | None] = mapped_column(String(64), **described(
        "Phiên bản biểu mẫu của bản nộp", "Form version of the submission"))
    activity_date: Mapped[date] = mapped_column(Date, **described("Ngày tổ chức hoạt động", "Date of the activity"))
    year: Mapped[int] = year_of("ngày tổ chức", "activity date")
    quarter: Mapped[int] = quarter_of("ngày tổ chức", "activity date")
    province_code: Mapped[str] = province_column()
    commune_code: Mapped[str] = commune_column()
    code_list_version: Mapped[str] = code_list_column()
    activity_type: Mapped[str] = mapped_column(String(32), **described(
        "Loại (mã activity_type): communication_event, community_meeting, school_activity, workshop, training_course,"
        " media_broadcast, materials_distribution, campaign_launch, contest_performance, child_consultation,"
        " pledge_signing, supervision_visit, parent_sanction, other_activity",
        "Type (activity_type code): communication_event, community_meeting, school_activity, workshop,"
        " training_course, media_broadcast, materials_distribution, campaign_launch, contest_performance,"
        " child_consultation, pledge_signing, supervision_visit, parent_sanction, other_activity"))
    training: Mapped[bool] = mapped_column(Boolean, **described(
        "Là lớp tập huấn (activity_type training_course)", "A training course (activity_type training_course)"))
    topics: Mapped[str | None] = mapped_column(String(256), **described(
        "Chủ đề (mã topic, cách nhau bởi dấu cách)", "Topics (topic codes, space-separated)"))
    organiser_type: Mapped[str | None] = mapped_column(String(32), **described(
        "Loại đơn vị tổ chức (mã organiser_type: commune_committee, school, mass_organisation…)",
        "Kind of organiser (organiser_type code: commune_committee, school, mass_organisation…)"))
    organisation: Mapped[str | None] = mapped_column(String(32), **described(
        "Đoàn thể chủ trì khi organiser_type là mass_organisation (mã mass_organisation: youth_union, women_union,"
        " farmers_union, fatherland_front…); trống trước phiên bản biểu mẫu 2026120702",
        "The organisation when organiser_type is mass_organisation (mass_organisation code: youth_union,"
        " women_union, farmers_union, fatherland_front…); empty before form version 2026120702"))
    organiser_level: Mapped[str | None] = mapped_column(String(16), **described(
        "Cấp của đơn vị chủ trì: national, provincial, district (trước 01/7/2025), commune; trống trước phiên bản"
        " biểu mẫu 2026120702",
        "Level of the organising body: national, provincial, district (before 1 July 2025), commune; empty before"
        " form version 2026120702"))
    participants_male: Mapped[int | None] = mapped_column(Integer, **described(
        "Số người tham dự là nam", "Male participants"))
    participants_female: Mapped[int | None] = mapped_column(Integer, **described(
        "Số người tham dự là nữ", "Female participants"))
    participants_total: Mapped[int | None] = mapped_column(Integer, **described(
        "Tổng số người tham dự (nam + nữ); trống với hoạt động không có người tham dự (phát thanh, tài liệu, cam kết,"
        " giám sát, xử phạt)",
        "Participants in all (male + female); empty for a report without participants (media, materials, pledges,"
        " supervision, sanctions)"))
    participants_new: Mapped[int | None] = mapped_column(Integer, **described(
        "Trong đó, số người lần đầu tham dự hoạt động truyền thông, tập huấn về lao động trẻ em trong năm",
        "Of whom, at a child-labour activity or training for the first time this year"))
    has_participant_list: Mapped[bool] = mapped_column(Boolean, **described(
        "Có tải lên danh sách người tham dự", "A list of participants was uploaded"))
    campaign: Mapped[str | None] = mapped_column(String(32), **described(
        "Chiến dịch, phong trào (mã campaign: vi_dan_em, action_month, world_day, other_campaign, no_campaign);"
        " trống trước phiên bản biểu mẫu 2026120701",
        "Campaign or movement (campaign code: vi_dan_em, action_month, world_day, other_campaign, no_campaign);"
        " empty before form version 2026120701"))
    channel: Mapped[str | None] = mapped_column(String(32), **described(
        "Kênh (media_broadcast: mã broadcast_channel) hoặc loại tài liệu (materials_distribution: mã material)",
        "Channel (media_broadcast: broadcast_channel code) or material (materials_distribution: material code)"))
    airings: Mapped[int | None] = mapped_column(Integer, **described(
        "Số lần phát sóng, tin, bài, bài đăng (media_broadcast)", "Airings, articles or posts (media_broadcast)"))
    copies: Mapped[int | None] = mapped_column(Integer, **described(
        "Số bản đã in, treo hoặc phát (materials_distribution)",
        "Copies printed, put up or handed out (materials_distribution)"))
    estimated_reach: Mapped[int | None] = mapped_column(BigInteger, **described(
        "Ước tính số lượt người tiếp cận qua kênh, tài liệu; không phải số người được truyền thông (không vào chỉ"
        " tiêu 2.x)",
        "Estimated reach of the medium or material; not people informed (in no 2.x indicator)"))
    reach_basis: Mapped[str | None] = mapped_column(String(32), **described(
        "Căn cứ ước tính (mã reach_basis: station_audience, households_covered, platform_statistics…)",
        "Basis of the estimate (reach_basis code: station_audience, households_covered, platform_statistics…)"))
    sanctioned_people: Mapped[int | None] = mapped_column(Integer, **described(
        "Số cha mẹ, người chăm sóc trẻ bị xử phạt (parent_sanction)",
        "Parents or caregivers sanctioned (parent_sanction)"))
    sanction_warning: Mapped[bool | None] = mapped_column(Boolean, **described(
        "Có hình thức cảnh cáo (parent_sanction)", "A warning among the sanctions (parent_sanction)"))
    sanction_fine: Mapped[bool | None] = mapped_column(Boolean, **described(
        "Có hình thức phạt tiền (parent_sanction)", "A fine among the sanctions (parent_sanction)"))
    fines_vnd: Mapped[int | None] = mapped_column(BigInteger, **described(
        "Tổng số tiền phạt, đồng (parent_sanction)", "Total fines, VND (parent_sanction)"))
    sanction_agency: Mapped[str | None] = mapped_column(String(32), **described(
        "Cơ quan xử phạt (mã inspecting_agency)", "Agency that sanctioned (inspecting_agency code)"))
    pledge_signer: Mapped[str | None] = mapped_column(String(32), **described(
        "Bên ký cam kết không sử dụng lao động trẻ em (mã pledge_signer: enterprises, cooperatives,"
        " craft_village_households, families)",
        "Who pledged not to use child labour (pledge_signer code: enterprises, cooperatives,"
        " craft_village_households, families)"))
    pledges_signed: Mapped[int | None] = mapped_column(Integer, **described(
        "Số bản cam kết đã ký (pledge_signing)", "Pledges signed (pledge_signing)"))
    supervisor_level: Mapped[str | None] = mapped_column(String(16), **described(
        "Cấp của đoàn kiểm tra, giám sát xã (supervision_visit: national, provincial, district, commune)",
        "Level of the team supervising the commune (supervision_visit: national, provincial, district, commune)"))
    issues_found: Mapped[bool | None] = mapped_column(Boolean, **described(
        "Đoàn giám sát phát hiện tồn tại cần khắc phục (supervision_visit)",
        "The supervision found shortcomings to remedy (supervision_visit)"))


class ActivityReach(Base):
    """People (or establishments) of one audience group an activity reached, reached anew, trained anew."""

    __tablename__ = "activity_reach"
    __table_args__ = described(
        "Số người (hoặc cơ sở) của một nhóm đối tượng mà một hoạt động tiếp cận",
        "People (or establishments) of one audience group an activity reached")

    activity_id: Mapped[str] = mapped_column(
        ForeignKey("activity.activity_id", ondelete="CASCADE"), primary_key=True, **described(
            "Hoạt động (activity.activity_id)", "The activity (activity.activity_id)"))
    audience: Mapped[str] = mapped_column(String(48), primary_key=True, **described(
        "Nhóm đối tượng (mã audience: teachers_staff, parents_caregivers, children, enterprises…)",
        "Audience group (audience code: teachers_staff, parents_caregivers, children, enterprises…)"))
    reached: Mapped[int] = mapped_column(Integer, **described(
        "Số người (hoặc hộ, cơ sở) được tiếp cận", "People (or households, establishments) reached"))
    reached_new: Mapped[int] = mapped_column(Integer, **described(
        "Trong đó, lần đầu được tiếp cận trong năm nay", "Of whom, reached for the first time this year"))
    reached_new_trained: Mapped[int | None] = mapped_column(Integer, **described(
        "Trong đó, lần đầu được tập huấn trong năm nay; chỉ với lớp tập huấn",
        "Of whom, trained for the first time this year; training courses only"))


class RestrictedActivityText(Base):
    """Free text of an activity report (title, venue, organiser, reporter): not for analysts."""

    __tablename__ = "restricted_activity_text"

    activity_id: Mapped[str] = mapped_column(ForeignKey("activity.activity_id", ondelete="CASCADE"), primary_key=True)
    title: Mapped[str | None] = mapped_column(Text)
    venue: Mapped[str | None] = mapped_column(Text)
    organiser_name: Mapped[str | None] = mapped_column(Text)
    reporter: Mapped[str | None] = mapped_column(Text)
    participant_list: Mapped[str | None] = mapped_column(Text)  # the uploaded file's name


class CaseWorkerArea(Base):
    """The commune or province whose restricted rows a case worker's PostgreSQL login may read
    (:mod:`roles`: row-level security on the ``restricted_*`` tables). Unused on SQLite (single-user)."""

    __tablename__ = "case_worker_area"

    role_name: Mapped[str] = mapped_column(String(63), primary_key=True)  # the login role
    area_level: Mapped[str] = mapped_column(String(16), primary_key=True)  # commune | province
    area_code: Mapped[str] = mapped_column(String(8), primary_key=True)  # a code of the vn-2025-07 list


class Approval(Base):
    """A data manager's approval of an area's figures for a period, reopened when the data under it changes."""

    __tablename__ = "approval"
    __table_args__ = (
        Index("ix_approval_area_period", "area_level", "area_code", "code_list_version", "period"),
        described(
            "Phê duyệt số liệu của một địa bàn cho một kỳ; mở lại khi số liệu thay đổi sau phê duyệt",
            "Approval of an area's figures for a period; reopened when the data changes after approval"),
    )

    approval_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                             **described("Mã lần phê duyệt", "Approval number"))
    area_level: Mapped[str] = mapped_column(String(16), **described(
        "Cấp địa bàn: national, province, commune", "Area level: national, province, commune"))
    area_code: Mapped[str] = mapped_column(String(8), **described("Mã địa bàn; VN cho toàn quốc",
                                                                   "Area code; VN for national"))
    code_list_version: Mapped[str] = mapped_column(String(32), **described(
        "Danh mục của mã địa bàn: national, vn-2025-07 hoặc vn-legacy",
        "Code list of the area code: national, vn-2025-07 or vn-legacy"))
    period: Mapped[str] = mapped_column(String(16), **described(
        "Kỳ: năm (2026), 6 tháng (2026-H1) hoặc quý (2026-Q3)",
        "Period: a year (2026), a half-year (2026-H1) or a quarter (2026-Q3)"))
    approved_at: Mapped[str] = mapped_column(String(40), **described(
        "Thời điểm phê duyệt (UTC, ISO 8601)", "When approved (UTC, ISO 8601)"))
    approver_id: Mapped[str] = mapped_column(PseudoId, **described(
        "Người phê duyệt (giả danh, từ tên đã nhập; tên chỉ ở bảng hạn chế)",
        "Approver (pseudonymous, from the name typed; the name only in a restricted table)"))
    fingerprint: Mapped[dict] = mapped_column(JsonDoc, **described(
        "Dấu vân tay của số liệu khi phê duyệt: số bản nộp và số thay đổi lớn nhất theo bảng, băm các ô chỉ tiêu",
        "Fingerprint of the data when approved: submissions and latest change per table, a hash of the cells"))
    status: Mapped[str] = mapped_column(String(16), **described(
        "approved (còn hiệu lực), reopened (số liệu đã thay đổi sau phê duyệt), superseded (có lần phê duyệt sau)",
        "approved (in force), reopened (the data changed after approval), superseded (approved again later)"))
    reopened_at: Mapped[str | None] = mapped_column(String(40), **described(
        "Thời điểm phát hiện thay đổi và mở lại (UTC)", "When the change was found and the approval reopened (UTC)"))
    reopened_because: Mapped[str | None] = mapped_column(Text, **described(
        "Phần số liệu đã thay đổi (tên bảng, số bản nộp trước → sau; cells: các ô chỉ tiêu)",
        "What changed (table, submissions before → after; cells: the indicator cells)"))


class RestrictedApproval(Base):
    """The approver's name and note as typed: not for analysts."""

    __tablename__ = "restricted_approval"

    approval_id: Mapped[int] = mapped_column(ForeignKey("approval.approval_id"), primary_key=True)
    approver_name: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
