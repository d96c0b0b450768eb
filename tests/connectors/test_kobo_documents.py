"""A Kobo document goes straight into its payload (one walk, the form's plan built once); the result, or the error,
is exactly what the general way gives (answers first, then the canonical payload), usual document or not."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from connectors.form_schema import FormSchema
from connectors.kobotoolbox.documents import (
    DocumentError,
    answers_from_document,
    record_from_answers,
    record_from_document,
)
from tests.connectors.test_form_schema import NESTED

FORM = {
    **NESTED,
    "survey": [*NESTED["survey"][:4], {"type": "image", "name": "face", "label": "face"}, *NESTED["survey"][4:],
               {"type": "image", "name": "house", "label": "house"}, {"type": "calculate", "name": "total",
                                                                       "label": "total", "calculation": "1"}],
}


def document(**changes: Any) -> dict[str, Any]:
    """A Kobo document of :data:`FORM`: full-path keys, repeats as lists of entries, strings, system keys."""
    base = {
        "formhub/uuid": "f0", "n": "3", "visit/where": "21.5 105.25 -3 4.5",
        "visit/member": [
            {"visit/member/member_name": "An", "visit/member/face": "an.jpg", "visit/member/weight": "31.50",
             "visit/member/job/tasks": "carry sell",
             "visit/member/injury": [{"visit/member/injury/when": "2026-01-02"},
                                     {"visit/member/injury/when": "2026-02-03"}]},
            {"visit/member/member_name": "Bình", "visit/member/weight": "abc", "visit/member/face": ""},
        ],
        "photo": [{"photo/taken": "2026-01-01T10:00:00.000+07"}],
        "house": "house.jpg", "total": "1", "__version__": "v1", "meta/instanceID": "uuid:b",
        "meta/rootUuid": "uuid:a", "meta/deprecatedID": "uuid:a", "_id": 7, "_uuid": "b",
        "_submission_time": "2026-03-04T05:06:07.890123", "_attachments": [{"filename": "an.jpg"}],
        "_validation_status": {"uid": "validation_status_on_hold"}, "_submitted_by": "enumerator",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not _DROP}


_DROP = object()


@pytest.fixture(scope="module")
def schema() -> FormSchema:
    return FormSchema.from_xlsform_dict(FORM)


def general(doc: dict[str, Any], schema: FormSchema, strict: bool) -> Any:
    answers = answers_from_document(doc, schema, strict=strict)
    attachments = [a for a in doc.get("_attachments") or [] if isinstance(a, dict) and not a.get("is_deleted")]
    return record_from_answers(answers, schema, doc, project="p", form_id=None, source="kobotoolbox",
                               attachments_present=len(attachments))


def outcome(build, *args) -> tuple[str, Any]:
    try:
        record = build(*args)
    except DocumentError as exc:
        return "error", str(exc)
    return "record", json.dumps([record.payload, record.instance_id, record.current_instance_id, record.review_state,
                                 record.submitted_at, record.form_version, record.submitter], ensure_ascii=False)


def test_the_usual_document(schema: FormSchema, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = document()
    expected = outcome(general, doc, schema, False)
    monkeypatch.setattr("connectors.kobotoolbox.documents.answers_from_document", None)  # the one walk only
    kept = copy.deepcopy(doc)
    record = record_from_document(doc, schema, project="p")
    assert doc == kept and record.received is doc
    assert outcome(lambda d: record_from_document(d, schema, project="p"), doc) == expected
    payload = record.payload
    assert payload["__system"]["attachmentsExpected"] == 2  # an.jpg and house.jpg; Bình's empty answer is none
    assert payload["__system"]["submissionDate"] == "2026-03-04T05:06:07.890Z"
    assert payload["__system"]["reviewState"] == "hasIssues" and payload["__system"]["edits"] is None
    assert payload["meta"]["instanceID"] == "uuid:b" and payload["__id"] == "uuid:a"
    assert [m["weight"] for m in payload["visit"]["member"]] == [31.5, "abc"]  # not a number: kept, to be refused
    assert [i["when"] for i in payload["visit"]["member"][0]["injury"]] == ["2026-01-02", "2026-02-03"]
    assert list(payload)[-4:] == ["__id", "__system", "photo@odata.navigationLink", "photo"]
    assert payload["photo"][0]["taken"] == "2026-01-01T10:00:00.000+07:00"


UNUSUAL = {
    "no instanceID answered (taken from _uuid)": {"meta/instanceID": _DROP},
    "numbers instead of text": {"n": 3, "total": 2.0},
    "a repeat's question at the top": {"visit/member/member_name": "Chi"},
    "an empty answer to a repeat's question at the top": {"visit/member/member_name": ""},
    "a repeat inside another repeat at the top": {"visit/member/injury": [{"visit/member/injury/when": "2026-01-01"}]},
    "a repeat that is not a list": {"photo": "none"},
    "a repeat entry that is not a dict": {"photo": [{"photo/taken": 5, "photo/x": 1}, "x"]},
    "an answer that is not text": {"n": [3]},
    "a boolean answer": {"total": True},
    "a question of another repeat inside an entry": {"photo": [{"visit/member/weight": "3"}]},
    "a bad time and a misplaced question": {"_submission_time": "soon", "visit/member/weight": "3"},
    "neither id": {"meta/instanceID": _DROP, "meta/rootUuid": _DROP, "_uuid": _DROP},
    "neither id, and an answer that is not text": {"meta/instanceID": _DROP, "meta/rootUuid": _DROP, "_uuid": _DROP,
                                                   "n": [1]},
    "an unknown key": {"colour": "red"},
    "an empty repeat": {"photo": []},
    "no repeats": {"photo": _DROP, "visit/member": _DROP},
    "an integer too long to read": {"n": "1" * 5000},  # not a number read: kept as its text
}


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("changes", UNUSUAL.values(), ids=UNUSUAL.keys())
def test_unusual_documents_come_out_as_the_general_way_says(schema: FormSchema, changes: dict, strict: bool) -> None:
    doc = document(**changes)
    fast = outcome(lambda d: record_from_document(d, schema, project="p", strict=strict), doc)
    assert fast == outcome(general, doc, schema, strict)


def test_a_form_without_file_questions_expects_no_attachments() -> None:
    plain = FormSchema.from_xlsform_dict(NESTED)
    doc = {"n": "1", "meta/instanceID": "uuid:c", "_uuid": "c", "_submission_time": "2026-01-01T00:00:00"}
    record = record_from_document(doc, plain, project="p")
    assert plain.file_paths == frozenset() and record.payload["__system"]["attachmentsExpected"] == 0
    assert outcome(lambda d: record_from_document(d, plain, project="p"), doc) == outcome(general, doc, plain, False)


GENERAL_WAY = ["a repeat's question at the top", "a repeat inside another repeat at the top", "a repeat that is not a list",
               "a repeat entry that is not a dict", "a question of another repeat inside an entry"]
FAST_WAY = ["no instanceID answered (taken from _uuid)", "an empty repeat", "no repeats", "an integer too long to read"]


@pytest.mark.parametrize("name", GENERAL_WAY + FAST_WAY)
def test_only_unusual_documents_take_the_general_way(schema: FormSchema, name: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    doc = document(**UNUSUAL[name])
    expected = outcome(general, doc, schema, False)
    calls = []

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[0])
        return answers_from_document(*args, **kwargs)

    monkeypatch.setattr("connectors.kobotoolbox.documents.answers_from_document", spy)
    assert outcome(lambda d: record_from_document(d, schema, project="p"), doc) == expected
    assert calls[:1] == ([doc] if name in GENERAL_WAY else [])  # then once per repeat entry


@pytest.mark.parametrize("bug", [KeyError("slot"), TypeError("not subscriptable"), AttributeError("get"),
                                 RuntimeError("oops")])
def test_a_bug_in_the_fast_way_is_raised_not_hidden_by_the_general_way(
        schema: FormSchema, bug: Exception, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise bug

    monkeypatch.setattr("connectors.kobotoolbox.documents._fill", lambda schema: broken)  # the form's filler
    monkeypatch.setattr("connectors.kobotoolbox.documents.answers_from_document", None)  # never reached
    with pytest.raises(type(bug), match=str(bug.args[0])):
        record_from_document(document(), schema, project="p")


@pytest.mark.parametrize("value", [{"given": "Nguyễn Thị Lan"}, ["Nguyễn Thị Lan"], True])
def test_a_refused_answer_is_named_by_its_question_never_by_its_value(schema: FormSchema, value: Any) -> None:
    with pytest.raises(DocumentError) as refused:
        record_from_document(document(n=value), schema, project="p")
    assert "`n`" in str(refused.value) and "Lan" not in str(refused.value) and "True" not in str(refused.value)
