use super::*;
use proptest::prelude::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn own() -> MunicipalityCode {
    MunicipalityCode::parse("0101").unwrap()
}

const TASK_DATE: (i32, u32, u32) = (2025, 11, 18);

fn task_date() -> NaiveDate {
    date(TASK_DATE.0, TASK_DATE.1, TASK_DATE.2)
}

/// A person who passes every rule.
fn eligible_person() -> PersonFacts {
    PersonFacts {
        birth_date: date(1980, 5, 17),
        municipality_code: Some(own()),
        citizenship: Some("5100".to_owned()),
        deceased: false,
        disappeared: false,
        under_guardianship: false,
    }
}

fn check(person: &PersonFacts, rules: RuleSet) -> Eligibility {
    evaluate(person, task_date(), &rules, false, &own())
}

#[test]
fn eligible_person_passes_every_rule() {
    let result = check(&eligible_person(), RuleSet::ALL);
    assert!(result.is_eligible());
    assert_eq!(result.results().len(), 5);
    assert!(result.results().iter().all(|r| r.outcome == Outcome::Passed));
}

#[test]
fn deceased_fails_alive() {
    let person = PersonFacts { deceased: true, ..eligible_person() };
    let result = check(&person, RuleSet::NONE);
    assert_eq!(result.failed(), [Rule::Alive]);
    assert_eq!(result.reasons(), ["Deltageren er ikke i live"]);
}

#[test]
fn disappeared_fails_alive() {
    let person = PersonFacts { disappeared: true, ..eligible_person() };
    assert_eq!(check(&person, RuleSet::NONE).failed(), [Rule::Alive]);
}

#[test]
fn alive_applies_even_with_an_empty_rule_set() {
    let result = check(&eligible_person(), RuleSet::NONE);
    assert_eq!(result.results(), [RuleResult { rule: Rule::Alive, outcome: Outcome::Passed }]);
}

#[test]
fn age18_is_reached_on_the_18th_birthday() {
    let rules = RuleSet::NONE.with(Rule::Age18);
    let turns_18_on_task_date = PersonFacts { birth_date: date(2007, 11, 18), ..eligible_person() };
    assert!(check(&turns_18_on_task_date, rules).is_eligible());
    let turns_18_next_day = PersonFacts { birth_date: date(2007, 11, 19), ..eligible_person() };
    let result = check(&turns_18_next_day, rules);
    assert_eq!(result.failed(), [Rule::Age18]);
    assert_eq!(result.reasons(), ["Deltageren er ikke fyldt 18 år på opgavedatoen"]);
}

#[test]
fn age_is_measured_on_the_task_date_not_today() {
    let rules = RuleSet::NONE.with(Rule::Age18);
    let person = PersonFacts { birth_date: date(2007, 11, 19), ..eligible_person() };
    assert!(!evaluate(&person, date(2025, 11, 18), &rules, false, &own()).is_eligible());
    assert!(evaluate(&person, date(2025, 11, 19), &rules, false, &own()).is_eligible());
}

#[test]
fn residence_must_be_the_own_municipality() {
    let rules = RuleSet::NONE.with(Rule::ResidentInMunicipality);
    let elsewhere =
        PersonFacts { municipality_code: Some(MunicipalityCode::parse("147").unwrap()), ..eligible_person() };
    assert_eq!(check(&elsewhere, rules).failed(), [Rule::ResidentInMunicipality]);
    let unpadded =
        PersonFacts { municipality_code: Some(MunicipalityCode::parse("101").unwrap()), ..eligible_person() };
    assert!(check(&unpadded, rules).is_eligible());
}

#[test]
fn missing_municipality_fails_residence() {
    let rules = RuleSet::NONE.with(Rule::ResidentInMunicipality);
    let person = PersonFacts { municipality_code: None, ..eligible_person() };
    let result = check(&person, rules);
    assert_eq!(result.failed(), [Rule::ResidentInMunicipality]);
    assert_eq!(result.reasons(), ["Deltageren bor ikke i kommunen"]);
}

#[test]
fn citizenship_must_be_danish() {
    let rules = RuleSet::NONE.with(Rule::DanishCitizen);
    for (code, eligible) in [
        (Some("5100"), true),
        (Some(" 5100 "), true),
        (Some("5110"), false),
        (Some("5180"), false),
        (Some("garbage"), false),
        (Some(""), false),
        (None, false),
    ] {
        let person = PersonFacts { citizenship: code.map(str::to_owned), ..eligible_person() };
        assert_eq!(check(&person, rules).is_eligible(), eligible, "{code:?}");
    }
}

#[test]
fn guardianship_fails_its_rule() {
    let rules = RuleSet::NONE.with(Rule::NotUnderGuardianship);
    let person = PersonFacts { under_guardianship: true, ..eligible_person() };
    let result = check(&person, rules);
    assert_eq!(result.failed(), [Rule::NotUnderGuardianship]);
    assert_eq!(result.reasons(), ["Deltageren er under værgemål"]);
}

#[test]
fn rules_outside_the_set_are_neither_checked_nor_listed() {
    let person = PersonFacts {
        birth_date: date(2015, 1, 1),
        municipality_code: None,
        citizenship: None,
        under_guardianship: true,
        ..eligible_person()
    };
    let result = check(&person, RuleSet::NONE);
    assert!(result.is_eligible());
    assert_eq!(result.outcome(Rule::Age18), None);
    assert_eq!(result.outcome(Rule::Alive), Some(Outcome::Passed));
}

#[test]
fn every_failure_is_reported_not_only_the_first() {
    let person = PersonFacts {
        birth_date: date(2015, 1, 1),
        municipality_code: None,
        citizenship: Some("5110".to_owned()),
        deceased: true,
        disappeared: false,
        under_guardianship: true,
    };
    let result = check(&person, RuleSet::ALL);
    assert_eq!(result.failed(), Rule::ALL);
    assert_eq!(result.reasons().len(), 5);
}

#[test]
fn results_list_passes_and_failures_per_rule() {
    let person = PersonFacts { citizenship: None, ..eligible_person() };
    let result = check(&person, RuleSet::ALL);
    assert_eq!(result.outcome(Rule::DanishCitizen), Some(Outcome::Failed));
    assert_eq!(result.outcome(Rule::Age18), Some(Outcome::Passed));
    let order: Vec<Rule> = result.results().iter().map(|r| r.rule).collect();
    assert_eq!(order, Rule::ALL);
}

#[test]
fn validation_off_skips_all_rules_but_alive() {
    let person = PersonFacts {
        birth_date: date(2015, 1, 1),
        municipality_code: None,
        citizenship: None,
        under_guardianship: true,
        ..eligible_person()
    };
    let result = evaluate(&person, task_date(), &RuleSet::ALL, true, &own());
    assert!(result.is_eligible());
    assert_eq!(result.outcome(Rule::Alive), Some(Outcome::Passed));
    for rule in [Rule::Age18, Rule::ResidentInMunicipality, Rule::DanishCitizen, Rule::NotUnderGuardianship] {
        assert_eq!(result.outcome(rule), Some(Outcome::NotChecked), "{rule:?}");
    }
}

#[test]
fn validation_off_still_fails_the_dead_and_disappeared() {
    for person in
        [PersonFacts { deceased: true, ..eligible_person() }, PersonFacts { disappeared: true, ..eligible_person() }]
    {
        let result = evaluate(&person, task_date(), &RuleSet::ALL, true, &own());
        assert_eq!(result.failed(), [Rule::Alive]);
    }
}

#[test]
fn rule_set_building() {
    let set = RuleSet::from_rules([Rule::Alive, Rule::Age18, Rule::DanishCitizen]);
    assert_eq!(set.optional_rules(), [Rule::Age18, Rule::DanishCitizen]);
    assert!(set.applies(Rule::Alive));
    assert!(!set.applies(Rule::NotUnderGuardianship));
    assert_eq!(RuleSet::default(), RuleSet::NONE);
    assert_eq!(RuleSet::from_rules(Rule::ALL), RuleSet::ALL);
    assert!(RuleSet::NONE.optional_rules().is_empty());
}

#[test]
fn rule_keys_round_trip() {
    for rule in Rule::ALL {
        assert_eq!(Rule::parse(rule.as_str()), Some(rule));
        let via_serde =
            Rule::deserialize(serde::de::value::StrDeserializer::<serde::de::value::Error>::new(rule.as_str()));
        assert_eq!(via_serde, Ok(rule));
    }
    assert_eq!(Rule::parse("Alive"), None);
}

fn rule_sets() -> impl Strategy<Value = RuleSet> {
    (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(a, r, c, g)| RuleSet {
        age18: a,
        resident_in_municipality: r,
        danish_citizen: c,
        not_under_guardianship: g,
    })
}

fn people() -> impl Strategy<Value = PersonFacts> {
    let birth = (1900i32..2020, 1u32..=12, 1u32..=28).prop_map(|(y, m, d)| date(y, m, d));
    let municipality = prop::option::of(prop::sample::select(vec!["101", "147", "851"]));
    let citizenship = prop::option::of(prop::sample::select(vec!["5100", "5110", "5170"]));
    (birth, municipality, citizenship, any::<[bool; 3]>()).prop_map(|(birth_date, m, c, flags)| PersonFacts {
        birth_date,
        municipality_code: m.map(|code| MunicipalityCode::parse(code).unwrap()),
        citizenship: c.map(str::to_owned),
        deceased: flags[0],
        disappeared: flags[1],
        under_guardianship: flags[2],
    })
}

proptest! {
    #[test]
    fn eligible_exactly_when_nothing_failed(person in people(), rules in rule_sets(), off in any::<bool>()) {
        let result = evaluate(&person, task_date(), &rules, off, &own());
        let any_failed = result.results().iter().any(|r| r.outcome == Outcome::Failed);
        prop_assert_eq!(result.is_eligible(), !any_failed);
        prop_assert_eq!(result.reasons().len(), result.failed().len());
    }

    #[test]
    fn results_cover_exactly_the_applied_rules(person in people(), rules in rule_sets(), off in any::<bool>()) {
        let result = evaluate(&person, task_date(), &rules, off, &own());
        for rule in Rule::ALL {
            prop_assert_eq!(result.outcome(rule).is_some(), rules.applies(rule));
        }
    }

    #[test]
    fn adding_a_rule_never_removes_a_failure(person in people(), rules in rule_sets(), extra in prop::sample::select(Rule::ALL.to_vec())) {
        let before = evaluate(&person, task_date(), &rules, false, &own()).failed();
        let after = evaluate(&person, task_date(), &rules.with(extra), false, &own()).failed();
        prop_assert!(before.iter().all(|rule| after.contains(rule)));
    }

    #[test]
    fn with_validation_off_only_alive_can_fail(person in people(), rules in rule_sets()) {
        let result = evaluate(&person, task_date(), &rules, true, &own());
        let alive = !person.deceased && !person.disappeared;
        prop_assert_eq!(result.is_eligible(), alive);
    }
}
