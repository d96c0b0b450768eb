"""Classify a child 5-17 by the two rule sets, `vn_law` and `icls`, with reason codes.

Every threshold, age limit and list comes from a versioned rules file (default:
`warehouse/reference/child_labour_rules.toml`); the spec is `shared/domain/child-labour-rules.md`.
Load the rules once with `load_rules` and pass them to `classify` for each child.

Choices the spec leaves open, made here:
- hours of None (not asked or not answered): no hour rule can fire;
- a working child with no work kind recorded has an unknown kind, which is on no allowed list: at 13-14 it is
  `VN_13_14_NOT_LIGHT`, under 13 it gets no Art. 145(3) exception, at 15-17 it does not excuse night work or overtime;
- night work or overtime at 15-17 is excused only when every work kind is on the Appendix V list;
- the Art. 145(3) exception for under 13 also needs no `VN_HAZARD_*` reason; approved work beyond the Art. 146(1)
  limits is `VN_UNDER13_HOURS` or `VN_UNDER13_NIGHT_OVERTIME` (work that is not exempt is `VN_UNDER13_WORK` alone);
- a child that is not working gets no reason except `ICLS_CHORES` (when that rule is enabled);
- hazard `none` and codes on no list are ignored;
- `at_risk` is the OR of the switched-on conditions, so a child labourer can also be at risk (e.g. out of school).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from warehouse.infra.versioned import REFERENCE_DIR, VersionedFileError, read_versioned

DEFAULT_RULES_PATH = REFERENCE_DIR / "child_labour_rules.toml"
VN_LAW = "vn_law"  # the law of Viet Nam, which identifies cases
RULE_SETS = (VN_LAW, "icls")


@dataclass(frozen=True)
class ChildFacts:
    """One child's answers, as the pipeline derives them from a submission."""

    age: int  # completed years
    working: bool  # any economic activity >= 1 h in the last 7 days, or temporarily absent
    hours_day: float | None = None
    hours_week: float | None = None
    night_work: bool = False
    overtime: bool = False
    work_kinds: frozenset[str] = frozenset()
    workplaces: frozenset[str] = frozenset()
    hazards: frozenset[str] = frozenset()  # 'none' may appear; ignored
    performance_approved: bool = False
    chores_hours_week: float | None = None
    school_status: str | None = None  # attending / dropped_out / never_attended
    poor_household: bool = False  # poor or near-poor
    working_sibling: bool = False


@dataclass(frozen=True)
class Classification:
    """The result of one rule set for one child."""

    rule_set: str  # "vn_law" | "icls"
    rules_version: str
    age_band: str  # e.g. "5-12"
    working: bool
    child_labour: bool
    hazardous: bool  # hazardous child labour
    at_risk: bool
    reasons: tuple[str, ...]  # sorted, unique


class OutOfScope(ValueError):
    """The child's age is outside the rules' scope."""


class RulesError(VersionedFileError):
    """The rules file is invalid; the message names the file and the bad key."""


@dataclass(frozen=True)
class Rules:
    """A loaded, validated rules file, with every list as a frozenset and every age band precomputed."""

    version: str
    min_age: int
    max_age: int
    bands: tuple[tuple[str, ...], ...]  # per rule set (RULE_SETS order), the band label of age min_age + i
    hazard_work_kinds: frozenset[str]
    hazard_workplaces: frozenset[str]
    hazard_conditions: frozenset[str]
    vn_young_exempt_kinds: frozenset[str]
    vn_young_hours_day_max: float
    vn_young_hours_week_max: float
    vn_light_min_age: int
    vn_light_max_age: int
    vn_light_work_kinds: frozenset[str]
    vn_light_hours_day_max: float
    vn_light_hours_week_max: float
    vn_light_night_overtime_kinds: frozenset[str]
    vn_minor_hours_day_max: float
    vn_minor_hours_week_max: float
    vn_minor_night_overtime_kinds: frozenset[str]
    icls_light_min_age: int
    icls_light_max_age: int
    icls_light_hours_week: float
    icls_long_hours_week: float
    icls_night_work_hazardous: bool
    chores_enabled: bool
    chores_younger_hours_week: float
    chores_older_hours_week: float
    at_risk_working: bool
    at_risk_out_of_school: bool
    out_of_school_statuses: frozenset[str]
    at_risk_poor_sibling: bool
    rule_sets: tuple[str, ...] = RULE_SETS

    def check_age(self, age: int) -> None:
        """Raise OutOfScope unless min_age <= age <= max_age."""
        if not self.min_age <= age <= self.max_age:
            raise OutOfScope(
                f"age {age} is outside the scope of rules {self.version}: {self.min_age}-{self.max_age}"
            )

    def age_band(self, rule_set: str, age: int) -> str:
        """The reporting age band of `age` in `rule_set`, e.g. "13-14"."""
        if rule_set not in self.rule_sets:
            raise ValueError(f"unknown rule set {rule_set!r}; expected one of {self.rule_sets}")
        self.check_age(age)
        return self.bands[self.rule_sets.index(rule_set)][age - self.min_age]


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


_KINDS = {  # value kinds in the rules file: (description for errors, check)
    "str": ("a non-empty string", lambda v: isinstance(v, str) and v.strip() != ""),
    "bool": ("true or false", lambda v: isinstance(v, bool)),
    "age": ("an age (integer >= 0)", lambda v: _is_int(v) and v >= 0),
    "hours": ("a number of hours >= 0", lambda v: (_is_int(v) or isinstance(v, float)) and v >= 0),
    "codes": ("a list of choice codes", lambda v: isinstance(v, list) and all(isinstance(c, str) and c for c in v)),
    "items": ("a list of tables with item, text and work_kinds", lambda v: isinstance(v, list) and v and all(
        isinstance(i, dict) and _is_int(i.get("item")) and isinstance(i.get("text"), str) and i["text"].strip()
        and isinstance(i.get("work_kinds"), list) for i in v)),
    "bands": ("a list of [first, last] ages", lambda v: isinstance(v, list) and all(
        isinstance(b, list) and len(b) == 2 and all(_is_int(a) for a in b) for b in v)),
}
_RULE_TABLES = (
    "scope", "age_bands", "vn_law.young_child", "vn_law.light_work", "vn_law.minor", "vn_law.hazardous",
    "icls.young_child", "icls.light_work", "icls.hazardous", "icls.chores", "at_risk",
)


def load_rules(path: str | Path | None = None) -> Rules:
    """Read and validate a rules file (default: the packaged one); raise RulesError naming the bad key."""
    path = Path(path) if path is not None else DEFAULT_RULES_PATH
    data = read_versioned(path)

    def fail(key: str, why: str) -> RulesError:
        return RulesError(f"{path}: {key!r} {why}")

    def get(key: str, kind: str):
        node = data
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                raise fail(key, "is missing")
            node = node[part]
        what, ok = _KINDS[kind]
        if not ok(node):
            raise fail(key, f"must be {what} (got {node!r})")
        return frozenset(node) if kind == "codes" else node

    for table in _RULE_TABLES:
        get(f"{table}.source", "str")
    min_age, max_age = get("scope.min_age", "age"), get("scope.max_age", "age")
    if min_age > max_age:
        raise fail("scope", "needs min_age <= max_age")

    bands = []
    for rule_set in RULE_SETS:
        key = f"age_bands.{rule_set}"
        spans = sorted(get(key, "bands"))
        starts, next_starts = [lo for lo, _ in spans] + [max_age + 1], [min_age] + [hi + 1 for _, hi in spans]
        if not spans or starts != next_starts or any(lo > hi for lo, hi in spans):
            raise fail(key, f"must cover ages {min_age}-{max_age} without gaps or overlaps (got {spans})")
        bands.append(tuple(f"{lo}-{hi}" for lo, hi in spans for _ in range(lo, hi + 1)))

    def age_range(table: str) -> tuple[int, int]:
        lo, hi = get(f"{table}.min_age", "age"), get(f"{table}.max_age", "age")
        if not min_age <= lo <= hi <= max_age:
            raise fail(table, f"needs scope.min_age <= min_age <= max_age <= scope.max_age (got {lo}, {hi})")
        return lo, hi

    def listed(codes_key: str, items_key: str) -> frozenset[str]:
        """A list of work kinds that must be the union of its appendix's items (each item with its source text)."""
        codes = get(codes_key, "codes")
        from_items = frozenset(c for item in get(items_key, "items") for c in item["work_kinds"])
        if codes != from_items:
            raise fail(codes_key, f"must be the work kinds of {items_key} (differs by {sorted(codes ^ from_items)})")
        return codes

    vn_light, icls_light = age_range("vn_law.light_work"), age_range("icls.light_work")
    return Rules(
        version=get("version", "str"),
        min_age=min_age,
        max_age=max_age,
        bands=tuple(bands),
        hazard_work_kinds=get("vn_law.hazardous.work_kinds", "codes"),
        hazard_workplaces=get("vn_law.hazardous.workplaces", "codes"),
        hazard_conditions=get("vn_law.hazardous.conditions", "codes"),
        vn_young_exempt_kinds=get("vn_law.young_child.exempt_work_kinds", "codes"),
        vn_young_hours_day_max=get("vn_law.young_child.hours_day_max", "hours"),
        vn_young_hours_week_max=get("vn_law.young_child.hours_week_max", "hours"),
        vn_light_min_age=vn_light[0],
        vn_light_max_age=vn_light[1],
        vn_light_work_kinds=listed("vn_law.light_work.work_kinds", "vn_law.light_work.appendix_i"),
        vn_light_hours_day_max=get("vn_law.light_work.hours_day_max", "hours"),
        vn_light_hours_week_max=get("vn_law.light_work.hours_week_max", "hours"),
        vn_light_night_overtime_kinds=get("vn_law.light_work.night_overtime_work_kinds", "codes"),
        vn_minor_hours_day_max=get("vn_law.minor.hours_day_max", "hours"),
        vn_minor_hours_week_max=get("vn_law.minor.hours_week_max", "hours"),
        vn_minor_night_overtime_kinds=listed("vn_law.minor.night_overtime_work_kinds", "vn_law.minor.appendix_v"),
        icls_light_min_age=icls_light[0],
        icls_light_max_age=icls_light[1],
        icls_light_hours_week=get("icls.light_work.hours_week_at_least", "hours"),
        icls_long_hours_week=get("icls.hazardous.hours_week_at_least", "hours"),
        icls_night_work_hazardous=get("icls.hazardous.night_work", "bool"),
        chores_enabled=get("icls.chores.enabled", "bool"),
        chores_younger_hours_week=get("icls.chores.younger_hours_week_at_least", "hours"),
        chores_older_hours_week=get("icls.chores.older_hours_week_at_least", "hours"),
        at_risk_working=get("at_risk.working_not_child_labour", "bool"),
        at_risk_out_of_school=get("at_risk.out_of_school", "bool"),
        out_of_school_statuses=get("at_risk.out_of_school_statuses", "codes"),
        at_risk_poor_sibling=get("at_risk.poor_with_working_sibling", "bool"),
    )


def classify(facts: ChildFacts, rules: Rules) -> tuple[Classification, ...]:
    """Classify one child by every rule set, in `rules.rule_sets` order; raise OutOfScope for an age outside scope."""
    rules.check_age(facts.age)
    return tuple(_classify_one(i, rule_set, facts, rules) for i, rule_set in enumerate(rules.rule_sets))


def _classify_one(index: int, rule_set: str, f: ChildFacts, r: Rules) -> Classification:
    reasons, hazardous = (_vn_law if rule_set == VN_LAW else _icls)(f, r)
    child_labour = bool(reasons)
    at_risk = (
        (r.at_risk_working and f.working and not child_labour)
        or (r.at_risk_out_of_school and f.school_status in r.out_of_school_statuses)
        or (r.at_risk_poor_sibling and f.poor_household and f.working_sibling)
    )
    return Classification(
        rule_set=rule_set,
        rules_version=r.version,
        age_band=r.bands[index][f.age - r.min_age],
        working=f.working,
        child_labour=child_labour,
        hazardous=hazardous,
        at_risk=at_risk,
        reasons=tuple(sorted(set(reasons))),
    )


def _vn_law(f: ChildFacts, r: Rules) -> tuple[list[str], bool]:
    """Reasons and the hazardous flag under the Labour Code 2019 (every reason makes it child labour)."""
    if not f.working:
        return [], False
    reasons = _hazard_reasons("VN", f, r)
    hazardous = bool(reasons)
    if f.age < r.vn_light_min_age:
        if hazardous or not f.performance_approved or not _all_in(f.work_kinds, r.vn_young_exempt_kinds):
            reasons.append("VN_UNDER13_WORK")
        else:
            if _above(f.hours_day, r.vn_young_hours_day_max) or _above(f.hours_week, r.vn_young_hours_week_max):
                reasons.append("VN_UNDER13_HOURS")
            if f.night_work or f.overtime:
                reasons.append("VN_UNDER13_NIGHT_OVERTIME")
    elif f.age <= r.vn_light_max_age:
        if not _all_in(f.work_kinds, r.vn_light_work_kinds):
            reasons.append("VN_13_14_NOT_LIGHT")
        if _above(f.hours_day, r.vn_light_hours_day_max) or _above(f.hours_week, r.vn_light_hours_week_max):
            reasons.append("VN_13_14_HOURS")
        if (f.night_work or f.overtime) and not _all_in(f.work_kinds, r.vn_light_night_overtime_kinds):
            reasons.append("VN_13_14_NIGHT_OVERTIME")
    else:
        if _above(f.hours_day, r.vn_minor_hours_day_max) or _above(f.hours_week, r.vn_minor_hours_week_max):
            reasons.append("VN_15_17_HOURS")
        if (f.night_work or f.overtime) and not _all_in(f.work_kinds, r.vn_minor_night_overtime_kinds):
            reasons.append("VN_15_17_NIGHT_OVERTIME")
    return reasons, hazardous


def _icls(f: ChildFacts, r: Rules) -> tuple[list[str], bool]:
    """Reasons and the hazardous flag under the ICLS definition (steps 2, 3, 4 and the optional chores step 6)."""
    reasons, hazardous = [], False
    if f.working:
        reasons = _hazard_reasons("ICLS", f, r)
        if _at_least(f.hours_week, r.icls_long_hours_week):
            reasons.append("ICLS_LONG_HOURS")
        if r.icls_night_work_hazardous and f.night_work:
            reasons.append("ICLS_NIGHT_WORK")
        hazardous = bool(reasons)
        if f.age < r.icls_light_min_age:
            reasons.append("ICLS_5_11_WORK")
        elif f.age <= r.icls_light_max_age and _at_least(f.hours_week, r.icls_light_hours_week):
            reasons.append("ICLS_12_14_HOURS")
    if r.chores_enabled:
        limit = r.chores_younger_hours_week if f.age <= r.icls_light_max_age else r.chores_older_hours_week
        if _at_least(f.chores_hours_week, limit):
            reasons.append("ICLS_CHORES")
    return reasons, hazardous


def _hazard_reasons(prefix: str, f: ChildFacts, r: Rules) -> list[str]:
    return (
        [f"{prefix}_HAZARD_WORK_{c.upper()}" for c in f.work_kinds & r.hazard_work_kinds]
        + [f"{prefix}_HAZARD_PLACE_{c.upper()}" for c in f.workplaces & r.hazard_workplaces]
        + [f"{prefix}_HAZARD_COND_{c.upper()}" for c in f.hazards & r.hazard_conditions]
    )


def _all_in(kinds: frozenset[str], allowed: frozenset[str]) -> bool:
    """True when at least one kind is known and every kind is allowed."""
    return bool(kinds) and kinds <= allowed


def _above(hours: float | None, limit: float) -> bool:
    return hours is not None and hours > limit


def _at_least(hours: float | None, limit: float) -> bool:
    return hours is not None and hours >= limit
