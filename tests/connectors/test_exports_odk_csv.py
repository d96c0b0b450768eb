"""Importing ODK Central's submissions.csv.zip: the variants Central writes, and files refused before loading."""

from __future__ import annotations

import io
import zipfile

import pytest

from connectors.errors import PROTOCOL, SourceError
from connectors.exports import import_export, read_odk_csv_zip
from connectors.form_schema import FormSchema
from tests.connectors.export_fixtures import CentralSubmission, odk_csv_zip
from tests.connectors.kobo_fixtures import household, household_schema  # noqa: F401 - fixture

NAME = "household_survey.csv.zip"


def submissions() -> list[CentralSubmission]:
    return [
        CentralSubmission("uuid:0001", household(1, children=2), review_state="approved"),
        CentralSubmission("uuid:0002", {**household(2, children=0), "consent": "no"},
                          current_instance_id="uuid:0002-v2", edits=1, review_state="edited"),
        CentralSubmission("uuid:0003", household(3, children=3, hours=7.5)),
    ]


def read(archive: bytes, schema: FormSchema) -> dict:
    return {r.instance_id: r for r in read_odk_csv_zip(archive, schema, name=NAME)}


def test_an_export_is_read_into_canonical_records(household_schema: FormSchema) -> None:
    records = read(odk_csv_zip(household_schema, submissions()), household_schema)
    assert list(records) == ["uuid:0001", "uuid:0002", "uuid:0003"]
    first = records["uuid:0001"]
    assert (first.source, first.project, first.form_id) == ("file:odk_csv_zip", NAME, "household_survey")
    assert (first.submitted_at, first.review_state, first.submitter) == (
        "2026-11-01T08:00:00.000Z", "approved", "collector@example.com")
    assert first.payload["location"]["gps"] == {"type": "Point", "coordinates": [105.8542, 21.0285, 10],
                                                "properties": {"accuracy": 5}}
    assert [c["child_name"] for c in first.payload["child"]] == ["child 1.0", "child 1.1"]
    assert first.payload["child"][1]["work"]["hours_week"] == 15
    edited = records["uuid:0002"]
    assert (edited.current_instance_id, edited.payload["meta"]["instanceID"]) == ("uuid:0002-v2", "uuid:0002-v2")
    assert edited.payload["__system"]["edits"] == 1 and "child" not in edited.payload
    assert [len(r.payload.get("child", [])) for r in records.values()] == [2, 0, 3]
    assert records["uuid:0003"].received["repeats"]["household_survey-child.csv"][2]["KEY"] == "uuid:0003/child[3]"


def test_group_names_removed_and_split_select_multiples_read_the_same(household_schema: FormSchema) -> None:
    plain = read(odk_csv_zip(household_schema, submissions()), household_schema)
    variant = read(odk_csv_zip(household_schema, submissions(), group_paths=False,
                               split_choices={"child/work/work_kind": ["crop_farming", "grazing", "sport"]}),
                   household_schema)
    assert {k: r.payload for k, r in variant.items()} == {k: r.payload for k, r in plain.items()}


def test_repeat_rows_out_of_order_are_put_back_by_key(household_schema: FormSchema) -> None:
    archive = odk_csv_zip(household_schema, submissions())
    shuffled = rewrite(archive, "household_survey-child.csv",
                       lambda lines: [lines[0], *reversed(lines[1:])])
    assert {k: r.payload for k, r in read(shuffled, household_schema).items()} == {
        k: r.payload for k, r in read(archive, household_schema).items()}


def test_import_export_picks_the_reader_and_gives_a_cursor(household_schema: FormSchema, tmp_path) -> None:
    path = tmp_path / NAME
    path.write_bytes(odk_csv_zip(household_schema, submissions()))
    loaded = import_export(path, household_schema)
    assert len(loaded) == 3
    with pytest.raises(RuntimeError):
        _ = loaded.cursor
    assert [r.project for r in loaded] == [NAME] * 3
    assert loaded.cursor["file"] == NAME and loaded.cursor["records"] == 3 and len(loaded.cursor["sha256"]) == 64
    with pytest.raises(SourceError, match="unknown kind of file"):
        import_export(tmp_path / "data.csv", household_schema)


def rezip(archive: bytes, edit, *extra: tuple[str, bytes]) -> bytes:
    """The archive with each member passed through ``edit(name, data) → [(name, data)…]`` (a damaged file)."""
    source = zipfile.ZipFile(io.BytesIO(archive))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            for new_name, data in edit(name, source.read(name)):
                target.writestr(new_name, data)
        for name, data in extra:
            target.writestr(name, data)
    return out.getvalue()


def rewrite(archive: bytes, member: str, change) -> bytes:
    """``member``'s lines changed by ``change(lines) → lines``."""
    def edit(name: str, data: bytes) -> list[tuple[str, bytes]]:
        if name != member:
            return [(name, data)]
        return [(name, "\n".join(change(data.decode().splitlines())).encode() + b"\n")]

    return rezip(archive, edit)


ROOT, CHILD = "household_survey.csv", "household_survey-child.csv"
REFUSALS = {
    "not a zip": (lambda a: b"SubmissionDate,KEY\n", "not a zip archive"),
    "another form": (lambda a: rezip(a, lambda n, d: [(n.replace("household_survey", "other_form"), d)]),
                     "no `household_survey.csv` in the archive; it holds `other_form-child.csv`, `other_form.csv`"),
    "missing repeat table": (lambda a: rezip(a, lambda n, d: [] if n == CHILD else [(n, d)]),
                             "`household_survey-child.csv` missing"),
    "stray table": (lambda a: rezip(a, lambda n, d: [(n, d)], ("household_survey-pets.csv", b"name,PARENT_KEY,KEY\n")),
                    "`household_survey-pets.csv` is not a repeat of form `household_survey`"),
    "unknown column": (lambda a: rewrite(a, ROOT, lambda x: [x[0].replace("household-hh_size", "household-pets"),
                                                           *x[1:]]),
                       "has `household-pets`, not a field of form `household_survey` version {version}"),
    "no KEY column": (lambda a: rewrite(a, ROOT, lambda x: [x[0].replace(",KEY,", ",KEYS,"), *x[1:]]),
                      "`household_survey.csv` has no `KEY` column: not an ODK Central export"),
    "bad encoding (saved by Excel in Windows-1258)": (
        lambda a: rezip(a, lambda n, d: [(n, d.replace("Điều".encode(), "Đi\u00ea\u0300u".encode("cp1258")))]),
        "`household_survey.csv` is not UTF-8 text"),
    "dangling parent key": (lambda a: rewrite(a, CHILD, lambda x: [x[0], x[1].replace("uuid:0001,", "uuid:9999,"),
                                                                   *x[2:]]),
                            "line 2: PARENT_KEY `uuid:9999` points to no submission of this export"),
    "malformed repeat key": (lambda a: rewrite(a, CHILD, lambda x: [x[0], x[1].replace("child[1]", "child[x]"),
                                                                    *x[2:]]),
                             "line 2: KEY `uuid:0001/child[x]` is not `uuid:0001/…child[n]`"),
    "duplicate submission": (lambda a: rewrite(a, ROOT, lambda x: [*x, x[1]]),
                             "holds submission `uuid:0001` twice"),
    "ragged row": (lambda a: rewrite(a, ROOT, lambda x: [*x[:-1], x[-1] + ",extra"]), "line 4 has"),
    "bad date": (lambda a: rewrite(a, ROOT, lambda x: [x[0], x[1].replace("2026-11-01T08:00:00.000Z", "yesterday"),
                                                       *x[2:]]),
                 "line 2: SubmissionDate `yesterday` is not a timestamp"),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_a_bad_file_is_refused_before_anything_is_loaded(case: str, household_schema: FormSchema) -> None:
    damage, message = REFUSALS[case]
    archive = damage(odk_csv_zip(household_schema, submissions()))
    with pytest.raises(SourceError) as caught:
        read_odk_csv_zip(archive, household_schema, name=NAME)
    assert caught.value.kind == PROTOCOL
    assert str(caught.value).startswith(f"ODK Central export {NAME}: ")
    assert message.format(version=household_schema.version) in str(caught.value)
