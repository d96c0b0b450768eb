"""Every label exists in both languages with the same placeholders; form codes get the forms' own labels."""

import string

import pytest

from warehouse.indicators.indicators import load_settings
from warehouse.report.labels import TEXT, Labels


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_translation_table_is_complete():
    for key, (vi, en) in TEXT.items():
        assert vi and en, key
        assert placeholders(vi) == placeholders(en), key


def test_indicator_names_from_the_catalogue_and_choices_from_the_forms():
    names = load_settings().names
    vi, en = Labels("vi", names), Labels("en", names)
    assert vi.indicator("2.2") == "Trẻ em được cung cấp thông tin" and en.indicator("2.2") == "Children informed"
    assert vi.choice("activity_type", "training_course") == "Lớp tập huấn, bồi dưỡng"
    assert en.choice("closure_reason", "turned_18") == "Turned 18"
    assert en.choice("sex", "female") == "Female" and vi.choice("sex", "unknown") == "Không rõ"
    assert en.choice("audience", "a_new_group") == "a_new_group"  # a code the form does not know stays readable
    assert (vi.age_band("13-14"), en.age_band("15-17"), en.age_band("unknown")) == ("13–14 tuổi", "aged 15–17",
                                                                                   "Unknown")
    assert vi.status("suppressed", 5) == "Ẩn (dưới 5)" and en.status("no_denominator", 5) == "No denominator"


def test_unknown_language():
    with pytest.raises(ValueError, match="language 'fr'"):
        Labels("fr")
