"""Hand-worked cases for warehouse.classify.classification, from shared/domain/child-labour-rules.md.

Each expected value is (child_labour, hazardous, reasons) worked out by hand from the spec, for vn_law and icls.
"""

import re

import pytest

from warehouse.classify.classification import (
    DEFAULT_RULES_PATH,
    ChildFacts,
    OutOfScope,
    RulesError,
    classify,
    load_rules,
)
from warehouse.infra.versioned import VersionedFileError

RULES = load_rules()
NONE = (False, False, ())


def work(age, *kinds, day=None, week=None, places=(), hazards=(), **kw):
    """A working child with the given work kinds, hours per day and week, workplaces and hazards."""
    return ChildFacts(
        age=age, working=True, hours_day=day, hours_week=week, work_kinds=frozenset(kinds),
        workplaces=frozenset(places), hazards=frozenset(hazards), **kw,
    )


def idle(age, **kw):
    """A child with no economic activity."""
    return ChildFacts(age=age, working=False, **kw)


def rules_file(tmp_path, *edits):
    """A copy of the packaged rules file with each (old, new) text edit applied exactly once."""
    text = DEFAULT_RULES_PATH.read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, f"edit target not unique: {old!r}"
        text = text.replace(old, new)
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


def outcome(c):
    return c.child_labour, c.hazardous, c.reasons


def check(facts, rules, vn, icls):
    vn_result, icls_result = classify(facts, rules)
    assert (vn_result.rule_set, icls_result.rule_set) == ("vn_law", "icls")
    assert outcome(vn_result) == (vn[0], vn[1], tuple(sorted(vn[2])))
    assert outcome(icls_result) == (icls[0], icls[1], tuple(sorted(icls[2])))


U13 = "VN_UNDER13_WORK"
NOT_LIGHT, H1314, NO1314 = "VN_13_14_NOT_LIGHT", "VN_13_14_HOURS", "VN_13_14_NIGHT_OVERTIME"
H1517, NO1517 = "VN_15_17_HOURS", "VN_15_17_NIGHT_OVERTIME"
I511, I1214, LONG, NIGHT = "ICLS_5_11_WORK", "ICLS_12_14_HOURS", "ICLS_LONG_HOURS", "ICLS_NIGHT_WORK"
CHORES = "ICLS_CHORES"

CASES = [
    # age boundaries
    pytest.param(idle(5), NONE, NONE, id="5-not-working"),
    pytest.param(work(5, "crop_farming", day=1, week=3), (True, False, (U13,)), (True, False, (I511,)), id="5-working"),
    pytest.param(work(11, "grazing", day=2, week=6), (True, False, (U13,)), (True, False, (I511,)), id="11-working"),
    pytest.param(work(12, "grazing", day=2, week=6), (True, False, (U13,)), NONE, id="12-6h-week"),
    pytest.param(work(12, "grazing", day=2, week=13.9), (True, False, (U13,)), NONE, id="12-13.9h-week"),
    pytest.param(work(12, "grazing", day=2, week=14), (True, False, (U13,)), (True, False, (I1214,)), id="12-14h-week"),
    pytest.param(work(12, "grazing", day=6, week=43), (True, False, (U13,)), (True, True, (I1214, LONG)),
                 id="12-43h-week"),
    pytest.param(work(13, "grazing", day=2, week=6), NONE, NONE, id="13-light-work"),
    pytest.param(work(13, "crop_farming", day=2, week=6), (True, False, (NOT_LIGHT,)), NONE, id="13-not-light"),
    pytest.param(work(13, "grazing", "crop_farming", day=2, week=6), (True, False, (NOT_LIGHT,)), NONE,
                 id="13-light-and-not-light"),
    pytest.param(work(13, day=2, week=6), (True, False, (NOT_LIGHT,)), NONE, id="13-unknown-kind"),
    pytest.param(work(14, "grazing", day=4, week=20), NONE, (True, False, (I1214,)), id="14-4h-day-20h-week"),
    pytest.param(work(14, "grazing", day=4.5, week=13), (True, False, (H1314,)), NONE, id="14-4.5h-day"),
    pytest.param(work(14, "grazing", day=3, week=20.5), (True, False, (H1314,)), (True, False, (I1214,)),
                 id="14-20.5h-week"),
    pytest.param(work(14, "grazing", day=6, week=30), (True, False, (H1314,)), (True, False, (I1214,)), id="14-6h-30h"),
    pytest.param(work(15, "grazing", day=6, week=30), NONE, NONE, id="15-6h-30h"),
    pytest.param(work(15, "crop_farming", day=8, week=40), NONE, NONE, id="15-8h-day-40h-week"),
    pytest.param(work(15, "crop_farming", day=8.5, week=30), (True, False, (H1517,)), NONE, id="15-8.5h-day"),
    pytest.param(work(17, "crop_farming", day=7, week=40.5), (True, False, (H1517,)), NONE, id="17-40.5h-week"),
    pytest.param(work(17, "crop_farming", day=7, week=42.9), (True, False, (H1517,)), NONE, id="17-42.9h-week"),
    pytest.param(work(17, "crop_farming", day=8, week=43), (True, False, (H1517,)), (True, True, (LONG,)),
                 id="17-43h-week"),
    # night work and overtime
    pytest.param(work(9, "grazing", day=2, week=6, night_work=True), (True, False, (U13,)),
                 (True, True, (I511, NIGHT)), id="9-night"),
    pytest.param(work(14, "grazing", day=2, week=10, night_work=True), (True, False, (NO1314,)),
                 (True, True, (NIGHT,)), id="14-night"),
    pytest.param(work(14, "grazing", day=2, week=10, overtime=True), (True, False, (NO1314,)), NONE, id="14-overtime"),
    pytest.param(work(14, "performing_arts", day=2, week=10, night_work=True), (True, False, (NO1314,)),
                 (True, True, (NIGHT,)), id="14-performing-arts-night"),
    pytest.param(work(15, "shop_restaurant", day=6, week=30, night_work=True), (True, False, (NO1517,)),
                 (True, True, (NIGHT,)), id="15-night"),
    pytest.param(work(16, "shop_restaurant", day=6, week=30, overtime=True), (True, False, (NO1517,)), NONE,
                 id="16-overtime"),
    pytest.param(work(16, "performing_arts", day=4, week=20, night_work=True, overtime=True), NONE,
                 (True, True, (NIGHT,)), id="16-performing-arts-night-overtime-appendix-v"),
    # Circular 09/2020 Appendix V (not a two-item stand-in): handicrafts at night, software overtime are allowed
    pytest.param(work(16, "handicraft", day=6, week=30, night_work=True), NONE, (True, True, (NIGHT,)),
                 id="16-handicraft-night-appendix-v"),
    pytest.param(work(17, "software", day=6, week=36, overtime=True), NONE, NONE, id="17-software-overtime-appendix-v"),
    pytest.param(work(16, "weaving_natural", "food_wrapping", day=6, week=30, overtime=True), NONE, NONE,
                 id="16-weaving-and-wrapping-overtime-appendix-v"),
    pytest.param(work(16, "grazing", day=6, week=30, overtime=True), (True, False, (NO1517,)), NONE,
                 id="16-grazing-overtime-not-appendix-v"),
    pytest.param(work(16, "sport", "shop_restaurant", day=6, week=30, overtime=True), (True, False, (NO1517,)), NONE,
                 id="16-sport-and-shop-overtime"),
    pytest.param(work(16, day=6, week=30, overtime=True), (True, False, (NO1517,)), NONE,
                 id="16-unknown-kind-overtime"),
    # Art. 145(3): under 13, performing arts or sport approved
    pytest.param(work(10, "performing_arts", day=2, week=6, performance_approved=True), NONE, (True, False, (I511,)),
                 id="10-arts-approved"),
    pytest.param(work(10, "performing_arts", "sport", day=2, week=6, performance_approved=True), NONE,
                 (True, False, (I511,)), id="10-arts-and-sport-approved"),
    pytest.param(work(12, "sport", day=2, week=6, performance_approved=True), NONE, NONE, id="12-sport-approved"),
    # approved work is still bound by Art. 146(1) (everyone under 15): 4 h a day, 20 a week, no night or overtime
    pytest.param(work(12, "performing_arts", day=4, week=20, performance_approved=True), NONE,
                 (True, False, (I1214,)), id="12-arts-approved-at-the-limits"),
    pytest.param(work(12, "performing_arts", day=4, week=25, performance_approved=True),
                 (True, False, ("VN_UNDER13_HOURS",)), (True, False, (I1214,)), id="12-arts-approved-25h-week"),
    pytest.param(work(11, "sport", day=5, week=12, performance_approved=True),
                 (True, False, ("VN_UNDER13_HOURS",)), (True, False, (I511,)), id="11-sport-approved-5h-day"),
    pytest.param(work(12, "performing_arts", day=3, week=10, night_work=True, performance_approved=True),
                 (True, False, ("VN_UNDER13_NIGHT_OVERTIME",)), (True, True, (NIGHT,)),
                 id="12-arts-approved-at-night"),
    pytest.param(work(10, "sport", day=3, week=10, overtime=True, performance_approved=True),
                 (True, False, ("VN_UNDER13_NIGHT_OVERTIME",)), (True, False, (I511,)),
                 id="10-sport-approved-overtime"),
    pytest.param(work(10, "performing_arts", day=2, week=6), (True, False, (U13,)), (True, False, (I511,)),
                 id="10-arts-not-approved"),
    pytest.param(work(10, "performing_arts", "street_vending", day=2, week=6, performance_approved=True),
                 (True, False, (U13,)), (True, False, (I511,)), id="10-arts-and-vending-approved"),
    pytest.param(work(10, "sport", day=2, week=6, performance_approved=True, hazards={"heights"}),
                 (True, True, (U13, "VN_HAZARD_COND_HEIGHTS")), (True, True, (I511, "ICLS_HAZARD_COND_HEIGHTS")),
                 id="10-sport-approved-at-heights"),
    pytest.param(work(9, day=2, week=6, performance_approved=True), (True, False, (U13,)), (True, False, (I511,)),
                 id="9-unknown-kind-approved"),
    # hazardous work, places and conditions
    pytest.param(work(16, "shop_restaurant", day=6, week=30, places={"entertainment_venue", "shop_market"}),
                 (True, True, ("VN_HAZARD_PLACE_ENTERTAINMENT_VENUE",)),
                 (True, True, ("ICLS_HAZARD_PLACE_ENTERTAINMENT_VENUE",)), id="16-entertainment-venue"),
    pytest.param(work(15, "crop_farming", day=6, week=30, hazards={"chemicals_pesticides"}),
                 (True, True, ("VN_HAZARD_COND_CHEMICALS_PESTICIDES",)),
                 (True, True, ("ICLS_HAZARD_COND_CHEMICALS_PESTICIDES",)), id="15-pesticides"),
    pytest.param(work(15, "crop_farming", day=6, week=30, hazards={"none"}), NONE, NONE, id="15-hazard-none"),
    pytest.param(work(17, "heavy_loads", day=6, week=30), (True, True, ("VN_HAZARD_WORK_HEAVY_LOADS",)),
                 (True, True, ("ICLS_HAZARD_WORK_HEAVY_LOADS",)), id="17-heavy-loads"),
    pytest.param(work(13, "weaving_natural", "metal_work", day=2, week=6),
                 (True, True, (NOT_LIGHT, "VN_HAZARD_WORK_METAL_WORK")), (True, True, ("ICLS_HAZARD_WORK_METAL_WORK",)),
                 id="13-weaving-and-metal-work"),
    pytest.param(work(13, "traditional_craft", day=2, week=6, places={"construction_site"}),
                 (True, True, ("VN_HAZARD_PLACE_CONSTRUCTION_SITE",)),
                 (True, True, ("ICLS_HAZARD_PLACE_CONSTRUCTION_SITE",)), id="13-light-work-at-construction-site"),
    pytest.param(work(7, "fishing_aquaculture", day=2, week=6, places={"underwater_underground"},
                      hazards={"underwater_underground", "none"}),
                 (True, True, (U13, "VN_HAZARD_COND_UNDERWATER_UNDERGROUND", "VN_HAZARD_PLACE_UNDERWATER_UNDERGROUND")),
                 (True, True, (I511, "ICLS_HAZARD_COND_UNDERWATER_UNDERGROUND",
                               "ICLS_HAZARD_PLACE_UNDERWATER_UNDERGROUND")), id="7-underwater-place-and-condition"),
    pytest.param(work(13, "crop_farming", day=5, week=25, night_work=True, places={"slaughterhouse"},
                      hazards={"dangerous_tools"}),
                 (True, True, (NOT_LIGHT, H1314, NO1314, "VN_HAZARD_PLACE_SLAUGHTERHOUSE",
                               "VN_HAZARD_COND_DANGEROUS_TOOLS")),
                 (True, True, (I1214, NIGHT, "ICLS_HAZARD_PLACE_SLAUGHTERHOUSE", "ICLS_HAZARD_COND_DANGEROUS_TOOLS")),
                 id="13-everything"),
    # missing hours, not working, chores off by default
    pytest.param(work(14, "grazing"), NONE, NONE, id="14-hours-unknown"),
    pytest.param(work(12, "grazing"), (True, False, (U13,)), NONE, id="12-hours-unknown"),
    pytest.param(idle(16, hours_day=10, hours_week=50, night_work=True, overtime=True,
                      work_kinds=frozenset({"heavy_loads"}), workplaces=frozenset({"construction_site"}),
                      hazards=frozenset({"abuse"}), chores_hours_week=50), NONE, NONE, id="16-not-working"),
    pytest.param(idle(10, chores_hours_week=50), NONE, NONE, id="10-chores-rule-off"),
]


@pytest.mark.parametrize("facts, vn, icls", CASES)
def test_classify(facts, vn, icls):
    check(facts, RULES, vn, icls)


def test_reasons_are_sorted_and_carry_the_version_and_facts():
    vn, icls = classify(work(13, "crop_farming", day=5, week=25, overtime=True, places={"slaughterhouse"}), RULES)
    assert vn.reasons == ("VN_13_14_HOURS", "VN_13_14_NIGHT_OVERTIME", "VN_13_14_NOT_LIGHT",
                          "VN_HAZARD_PLACE_SLAUGHTERHOUSE")
    assert icls.reasons == ("ICLS_12_14_HOURS", "ICLS_HAZARD_PLACE_SLAUGHTERHOUSE")
    assert (vn.rules_version, icls.rules_version) == ("2026.2", "2026.2")
    assert vn.working and icls.working


@pytest.mark.parametrize("age, vn_band, icls_band", [
    (5, "5-12", "5-11"), (11, "5-12", "5-11"), (12, "5-12", "12-14"), (13, "13-14", "12-14"),
    (14, "13-14", "12-14"), (15, "15-17", "15-17"), (17, "15-17", "15-17"),
])
def test_age_bands(age, vn_band, icls_band):
    assert (RULES.age_band("vn_law", age), RULES.age_band("icls", age)) == (vn_band, icls_band)
    assert tuple(c.age_band for c in classify(idle(age), RULES)) == (vn_band, icls_band)


@pytest.mark.parametrize("age", [4, 18])
def test_out_of_scope(age):
    with pytest.raises(OutOfScope, match=f"age {age} is outside the scope .* 5-17"):
        classify(idle(age), RULES)
    with pytest.raises(OutOfScope):
        RULES.age_band("icls", age)


def test_unknown_rule_set():
    with pytest.raises(ValueError, match="unknown rule set 'sdg'"):
        RULES.age_band("sdg", 10)


CHORES_ON = ("enabled = false", "enabled = true")


@pytest.mark.parametrize("facts, vn, icls", [
    pytest.param(idle(10, chores_hours_week=21), NONE, (True, False, (CHORES,)), id="10-21h"),
    pytest.param(idle(10, chores_hours_week=20.9), NONE, NONE, id="10-20.9h"),
    pytest.param(idle(14, chores_hours_week=21), NONE, (True, False, (CHORES,)), id="14-21h"),
    pytest.param(idle(15, chores_hours_week=42.9), NONE, NONE, id="15-42.9h"),
    pytest.param(idle(15, chores_hours_week=43), NONE, (True, False, (CHORES,)), id="15-43h"),
    pytest.param(idle(10), NONE, NONE, id="10-chores-unknown"),
    pytest.param(work(12, "grazing", day=2, week=10, chores_hours_week=25), (True, False, (U13,)),
                 (True, False, (CHORES,)), id="12-working-and-chores"),
    pytest.param(work(16, "crop_farming", day=6, week=30, night_work=True, chores_hours_week=45),
                 (True, False, (NO1517,)), (True, True, (CHORES, NIGHT)), id="16-night-and-chores"),
])
def test_chores_rule_on(tmp_path, facts, vn, icls):
    check(facts, load_rules(rules_file(tmp_path, CHORES_ON)), vn, icls)


def test_chores_threshold_28(tmp_path):
    rules = load_rules(rules_file(tmp_path, CHORES_ON,
                                  ("younger_hours_week_at_least = 21", "younger_hours_week_at_least = 28")))
    check(idle(10, chores_hours_week=27.9), rules, NONE, NONE)
    check(idle(10, chores_hours_week=28), rules, NONE, (True, False, (CHORES,)))


AT_RISK_CASES = [
    pytest.param(work(15, "crop_farming", day=6, week=30, school_status="attending"), (True, True),
                 id="working-not-child-labour"),
    pytest.param(work(10, "crop_farming", day=2, week=6, school_status="attending"), (False, False),
                 id="child-labour-attending"),
    pytest.param(work(12, "grazing", day=2, week=6, school_status="attending"), (False, True),
                 id="12-child-labour-only-in-vn-law"),
    pytest.param(idle(9, school_status="dropped_out"), (True, True), id="dropped-out"),
    pytest.param(idle(9, school_status="never_attended"), (True, True), id="never-attended"),
    pytest.param(idle(9, school_status="attending"), (False, False), id="attending"),
    pytest.param(idle(9), (False, False), id="school-status-unknown"),
    pytest.param(idle(9, poor_household=True, working_sibling=True), (True, True), id="poor-with-working-sibling"),
    pytest.param(idle(9, poor_household=True), (False, False), id="poor-no-working-sibling"),
    pytest.param(idle(9, working_sibling=True), (False, False), id="working-sibling-not-poor"),
    pytest.param(work(16, "crop_farming", day=9, week=30, school_status="dropped_out"), (True, True),
                 id="child-labour-out-of-school"),
]


@pytest.mark.parametrize("facts, expected", AT_RISK_CASES)
def test_at_risk(facts, expected):
    assert tuple(c.at_risk for c in classify(facts, RULES)) == expected


@pytest.mark.parametrize("switch, facts", [
    ("working_not_child_labour = true", work(15, "crop_farming", day=6, week=30)),
    ("out_of_school = true", idle(9, school_status="dropped_out")),
    ("poor_with_working_sibling = true", idle(9, poor_household=True, working_sibling=True)),
])
def test_at_risk_switch_off(tmp_path, switch, facts):
    assert all(c.at_risk for c in classify(facts, RULES))
    rules = load_rules(rules_file(tmp_path, (switch, switch.replace("true", "false"))))
    assert not any(c.at_risk for c in classify(facts, rules))


def test_thresholds_and_version_are_data(tmp_path):
    facts_14 = work(14, "grazing", day=3, week=22)
    facts_12 = work(12, "sport", day=2, week=14, performance_approved=False)
    check(facts_14, RULES, (True, False, (H1314,)), (True, False, (I1214,)))
    check(facts_12, RULES, (True, False, (U13,)), (True, False, (I1214,)))
    rules = load_rules(rules_file(
        tmp_path,
        ('version = "2026.2"', 'version = "2099.7"'),
        ("hours_week_max = 20\nnight_overtime_work_kinds = []", "hours_week_max = 25\nnight_overtime_work_kinds = []"),
        ("hours_week_at_least = 14", "hours_week_at_least = 15"),
        ("min_age = 13", "min_age = 12"),
    ))
    check(facts_14, rules, NONE, (True, False, (I1214,)))
    check(facts_12, rules, NONE, NONE)
    assert rules.version == "2099.7"
    assert {c.rules_version for f in (facts_14, facts_12, idle(5)) for c in classify(f, rules)} == {"2099.7"}


def test_default_rules():
    assert RULES.version == "2026.2"
    assert RULES.rule_sets == ("vn_law", "icls")
    assert load_rules(str(DEFAULT_RULES_PATH)) == RULES


# Choice codes of the household survey, copied from forms/README.md.
FORM_CODES = {
    "work_kind": {
        "performing_arts", "sport", "software", "traditional_craft", "handicraft", "weaving_natural", "food_wrapping",
        "sericulture", "vegetable_weeding_harvest", "grazing", "fishing_nets_drying_fish", "heavy_loads",
        "alcohol_tobacco", "chemicals_explosives", "machine_maintenance", "demolition", "metal_work",
        "diving_offshore_fishing", "other_harmful_work", "crop_farming", "livestock_care", "fishing_aquaculture",
        "street_vending", "lottery_selling", "domestic_work", "shop_restaurant", "factory_workshop",
        "construction_work", "other_work",
    },
    "workplace": {
        "underwater_underground", "construction_site", "slaughterhouse", "entertainment_venue", "other_harmful_place",
        "home", "family_farm", "fields_forest_water", "shop_market", "street", "workshop_factory", "other_place",
    },
    "hazard": {
        "dust_fumes_gas", "fire_heat_cold", "noise_vibration", "dangerous_tools", "heights", "underwater_underground",
        "chemicals_pesticides", "heavy_loads", "poor_light_ventilation", "abuse", "none",
    },
    "school_status": {"attending", "dropped_out", "never_attended"},
}


def test_rules_file_uses_the_form_codes():
    for codes in (RULES.vn_young_exempt_kinds, RULES.vn_light_work_kinds, RULES.vn_light_night_overtime_kinds,
                  RULES.vn_minor_night_overtime_kinds, RULES.hazard_work_kinds):
        assert codes <= FORM_CODES["work_kind"]
    assert RULES.hazard_workplaces <= FORM_CODES["workplace"]
    assert RULES.hazard_conditions <= FORM_CODES["hazard"] - {"none"}
    assert RULES.out_of_school_statuses <= FORM_CODES["school_status"]
    assert len(RULES.vn_light_work_kinds) == 11 and len(RULES.hazard_work_kinds) == 8
    assert len(RULES.vn_minor_night_overtime_kinds) == 7
    assert len(RULES.hazard_workplaces) == 5 and len(RULES.hazard_conditions) == 10


@pytest.mark.parametrize("edit, key", [
    (("hours_day_max = 4\nhours_week_max = 20\nnight", "hours_week_max = 20\nnight"),
     "'vn_law.light_work.hours_day_max' is missing"),
    (("hours_week_max = 20\nnight", 'hours_week_max = "20"\nnight'),
     "'vn_law.light_work.hours_week_max' must be a number of hours"),
    (("hours_week_max = 20\nsource", 'hours_week_max = "20"\nsource'),
     "'vn_law.young_child.hours_week_max' must be a number of hours"),
    (('text = "Software programming (lập trình phần mềm)"\nwork_kinds = ["software"]\n[[vn_law.light',
      'text = "Software programming (lập trình phần mềm)"\nwork_kinds = []\n[[vn_law.light'),
     "'vn_law.light_work.work_kinds' must be the work kinds of vn_law.light_work.appendix_i"),
    (('item = 11\ntext = "Door-to-door, telephone and online sales"\nwork_kinds = []',
      'item = 11\ntext = "Door-to-door, telephone and online sales"\nwork_kinds = ["street_vending"]'),
     "'vn_law.minor.night_overtime_work_kinds' must be the work kinds of vn_law.minor.appendix_v"),
    (("night_work = true", 'night_work = "yes"'), "'icls.hazardous.night_work' must be true or false"),
    (('out_of_school_statuses = ["dropped_out", "never_attended"]', 'out_of_school_statuses = "dropped_out"'),
     "'at_risk.out_of_school_statuses' must be a list of choice codes"),
    (("vn_law = [[5, 12], [13, 14], [15, 17]]", "vn_law = [[5, 12], [14, 14], [15, 17]]"),
     "'age_bands.vn_law' must cover ages 5-17 without gaps or overlaps"),
    (("icls = [[5, 11], [12, 14], [15, 17]]", "icls = [[5, 11], [11, 14], [15, 17]]"),
     "'age_bands.icls' must cover ages 5-17 without gaps or overlaps"),
    (("min_age = 12", "min_age = 3"), "'icls.light_work' needs scope.min_age <= min_age"),
    (('source = "ILO 18th ICLS Resolution II (2008); SDG 8.7.1 metadata: 5-11 in any economic activity"\n', ""),
     "'icls.young_child.source' is missing"),
    (("[vn_law.minor]", "[vn_law.minors]"), "'vn_law.minor.source' is missing"),
])
def test_invalid_rules_file(tmp_path, edit, key):
    path = rules_file(tmp_path, edit)
    with pytest.raises(RulesError, match=re.escape(f"{path}: {key}")):
        load_rules(path)


def test_unreadable_rules_file(tmp_path):
    with pytest.raises(VersionedFileError, match="absent.toml cannot be read: FileNotFoundError"):
        load_rules(tmp_path / "absent.toml")
    with pytest.raises(VersionedFileError, match=r"\.toml cannot be read: TOMLDecodeError"):
        load_rules(rules_file(tmp_path, ("[scope]", "[scope")))
    with pytest.raises(VersionedFileError, match="rules.toml cannot be read: KeyError 'version'"):
        load_rules(rules_file(tmp_path, ('version = "2026.2"\n', "")))
