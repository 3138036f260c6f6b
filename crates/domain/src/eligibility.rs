//! Who may hold a seat: the rules of an election type applied to a person's
//! CPR facts on the task date.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::age::has_reached;
use crate::municipality::{CountryCode, MunicipalityCode};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    Alive,
    Age18,
    ResidentInMunicipality,
    DanishCitizen,
    NotUnderGuardianship,
}

impl Rule {
    /// In the order a UI should list them.
    pub const ALL: [Rule; 5] =
        [Rule::Alive, Rule::Age18, Rule::ResidentInMunicipality, Rule::DanishCitizen, Rule::NotUnderGuardianship];

    /// Stable key for storage.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Alive => "alive",
            Rule::Age18 => "age18",
            Rule::ResidentInMunicipality => "resident_in_municipality",
            Rule::DanishCitizen => "danish_citizen",
            Rule::NotUnderGuardianship => "not_under_guardianship",
        }
    }

    pub fn parse(key: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|rule| rule.as_str() == key)
    }

    /// The requirement, in Danish, e.g. for an election type's settings.
    pub fn label(self) -> &'static str {
        match self {
            Rule::Alive => "I live",
            Rule::Age18 => "Fyldt 18 år på opgavedatoen",
            Rule::ResidentInMunicipality => "Bor i kommunen",
            Rule::DanishCitizen => "Dansk statsborger",
            Rule::NotUnderGuardianship => "Ikke under værgemål",
        }
    }

    /// Why a person fails the rule, in Danish, shown to staff.
    pub fn description(self) -> &'static str {
        match self {
            Rule::Alive => "Deltageren er ikke i live",
            Rule::Age18 => "Deltageren er ikke fyldt 18 år på opgavedatoen",
            Rule::ResidentInMunicipality => "Deltageren bor ikke i kommunen",
            Rule::DanishCitizen => "Deltageren er ikke dansk statsborger",
            Rule::NotUnderGuardianship => "Deltageren er under værgemål",
        }
    }
}

/// The optional rules an election type requires. Alive is not in here
/// because it always applies: nobody may be given a seat for a dead person.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RuleSet {
    pub age18: bool,
    pub resident_in_municipality: bool,
    pub danish_citizen: bool,
    pub not_under_guardianship: bool,
}

impl RuleSet {
    pub const NONE: RuleSet =
        RuleSet { age18: false, resident_in_municipality: false, danish_citizen: false, not_under_guardianship: false };

    pub const ALL: RuleSet =
        RuleSet { age18: true, resident_in_municipality: true, danish_citizen: true, not_under_guardianship: true };

    /// Builds a set from rules; Alive is accepted and ignored.
    pub fn from_rules(rules: impl IntoIterator<Item = Rule>) -> RuleSet {
        rules.into_iter().fold(RuleSet::NONE, RuleSet::with)
    }

    pub fn with(mut self, rule: Rule) -> RuleSet {
        match rule {
            Rule::Alive => {}
            Rule::Age18 => self.age18 = true,
            Rule::ResidentInMunicipality => self.resident_in_municipality = true,
            Rule::DanishCitizen => self.danish_citizen = true,
            Rule::NotUnderGuardianship => self.not_under_guardianship = true,
        }
        self
    }

    /// Whether `rule` is checked for this election type (Alive always is).
    pub fn applies(&self, rule: Rule) -> bool {
        match rule {
            Rule::Alive => true,
            Rule::Age18 => self.age18,
            Rule::ResidentInMunicipality => self.resident_in_municipality,
            Rule::DanishCitizen => self.danish_citizen,
            Rule::NotUnderGuardianship => self.not_under_guardianship,
        }
    }

    /// The optional rules in the set, in [`Rule::ALL`] order.
    pub fn optional_rules(&self) -> Vec<Rule> {
        Rule::ALL.into_iter().filter(|rule| *rule != Rule::Alive && self.applies(*rule)).collect()
    }
}

/// What the CPR register says about a person, as far as the rules need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonFacts {
    pub birth_date: NaiveDate,
    pub municipality_code: Option<MunicipalityCode>,
    /// CPR country code of citizenship, e.g. "5100" for Denmark.
    pub citizenship: Option<String>,
    pub deceased: bool,
    pub disappeared: bool,
    pub under_guardianship: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Passed,
    Failed,
    /// The task type has validation switched off.
    NotChecked,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RuleResult {
    pub rule: Rule,
    pub outcome: Outcome,
}

/// The result of every rule that applies, in [`Rule::ALL`] order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Eligibility {
    results: Vec<RuleResult>,
}

impl Eligibility {
    pub fn results(&self) -> &[RuleResult] {
        &self.results
    }

    pub fn is_eligible(&self) -> bool {
        self.failed().is_empty()
    }

    /// Every failed rule, not just the first.
    pub fn failed(&self) -> Vec<Rule> {
        self.results.iter().filter(|result| result.outcome == Outcome::Failed).map(|result| result.rule).collect()
    }

    /// The Danish reasons for each failed rule.
    pub fn reasons(&self) -> Vec<&'static str> {
        self.failed().into_iter().map(Rule::description).collect()
    }

    /// `None` when the rule does not apply to this election type.
    pub fn outcome(&self, rule: Rule) -> Option<Outcome> {
        self.results.iter().find(|result| result.rule == rule).map(|result| result.outcome)
    }
}

/// Applies the election type's rules to a person for a task on `task_date`.
///
/// `validation_off` is the task type's flag for tasks anyone may do (e.g.
/// helpers who are not election officials); Alive is checked regardless.
pub fn evaluate(
    person: &PersonFacts,
    task_date: NaiveDate,
    rules: &RuleSet,
    validation_off: bool,
    own_municipality: &MunicipalityCode,
) -> Eligibility {
    let check = |rule: Rule| {
        let outcome = if validation_off && rule != Rule::Alive {
            Outcome::NotChecked
        } else if passes(rule, person, task_date, own_municipality) {
            Outcome::Passed
        } else {
            Outcome::Failed
        };
        RuleResult { rule, outcome }
    };
    let results = Rule::ALL.into_iter().filter(|rule| rules.applies(*rule)).map(check).collect();
    Eligibility { results }
}

fn passes(rule: Rule, person: &PersonFacts, task_date: NaiveDate, own: &MunicipalityCode) -> bool {
    match rule {
        Rule::Alive => !person.deceased && !person.disappeared,
        Rule::Age18 => has_reached(person.birth_date, 18, task_date),
        Rule::ResidentInMunicipality => person.municipality_code.as_ref() == Some(own),
        Rule::DanishCitizen => is_danish(person.citizenship.as_deref()),
        Rule::NotUnderGuardianship => !person.under_guardianship,
    }
}

fn is_danish(citizenship: Option<&str>) -> bool {
    citizenship.and_then(|code| CountryCode::parse(code).ok()).is_some_and(|code| code.is_danish())
}

#[cfg(test)]
mod tests;
