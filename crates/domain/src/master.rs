//! Rules for the master data staff set up before an election: names that
//! must be unique regardless of case, Danish sort order and search, and when
//! an election type, area or special diet may be deleted.

use std::cmp::Ordering;
use std::fmt;

/// Longest name or title, in characters (not bytes).
pub const MAX_NAME_CHARS: usize = 255;

/// The name or title of a master-data record: trimmed, inner runs of
/// whitespace folded to one space, never empty, at most
/// [`MAX_NAME_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Name(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("feltet skal udfyldes")]
    Empty,
    #[error("feltet må højst være {MAX_NAME_CHARS} tegn")]
    TooLong,
}

impl NameError {
    /// The message shown next to the field, naming it, e.g. "Udfyld titel".
    pub fn message(self, what: &str) -> String {
        match self {
            NameError::Empty => format!("Udfyld {what}"),
            NameError::TooLong => format!("{} må højst være {MAX_NAME_CHARS} tegn", capitalise(what)),
        }
    }
}

impl Name {
    pub fn parse(input: &str) -> Result<Name, NameError> {
        let folded = input.split_whitespace().collect::<Vec<_>>().join(" ");
        if folded.is_empty() {
            return Err(NameError::Empty);
        }
        if folded.chars().count() > MAX_NAME_CHARS {
            return Err(NameError::TooLong);
        }
        Ok(Name(folded))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    /// What uniqueness is checked on: see [`name_key`].
    pub fn key(&self) -> String {
        name_key(&self.0)
    }

    /// Whether `other` names the same thing: "Nord" and "NORD " do.
    pub fn same_as(&self, other: &str) -> bool {
        name_key(&self.0) == name_key(other)
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The form two names are compared in for uniqueness: whitespace folded and
/// lower-cased with full Unicode rules, so that "ÆBLE" and "æble" collide
/// (SQL `lower()` on SQLite would only fold ASCII).
pub fn name_key(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Compares names in Danish alphabetical order: case-insensitive, with
/// æ, ø and å after z (plain Unicode order puts å before æ).
pub fn danish_order(a: &str, b: &str) -> Ordering {
    sort_key(a).cmp(&sort_key(b)).then_with(|| a.cmp(b))
}

fn sort_key(name: &str) -> Vec<u32> {
    name_key(name)
        .chars()
        .map(|c| match c {
            // Just past 'z', in Danish order.
            'æ' | 'ä' => 'z' as u32 + 1,
            'ø' | 'ö' => 'z' as u32 + 2,
            'å' => 'z' as u32 + 3,
            other => other as u32,
        })
        .collect()
}

/// Whether `text` contains the search words of `query`, each anywhere and
/// ignoring case. An empty query matches everything.
pub fn matches_search(text: &str, query: &str) -> bool {
    let text = name_key(text);
    name_key(query).split(' ').filter(|w| !w.is_empty()).all(|word| text.contains(word))
}

/// Why a record may not be deleted, in Danish, shown on the confirmation page
/// and instead of deleting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DeleteRefusal {
    #[error("{}", in_use_by_elections(*.0))]
    ElectionTypeInUse(u64),
    #[error("{}", area_has_work_locations(*.0))]
    AreaHasWorkLocations(u64),
    #[error("Området kan ikke slettes, fordi det er det eneste område. Der skal altid være mindst ét område.")]
    LastArea,
}

fn in_use_by_elections(n: u64) -> String {
    let elections = if n == 1 { "1 valg".to_owned() } else { format!("{n} valg") };
    format!(
        "Valgtypen kan ikke slettes, fordi den bruges af {elections}. \
         Det gælder også valg, der ikke er aktive."
    )
}

fn area_has_work_locations(n: u64) -> String {
    let places = if n == 1 { "1 arbejdssted".to_owned() } else { format!("{n} arbejdssteder") };
    format!("Området kan ikke slettes, fordi det har {places}. Flyt eller slet arbejdsstederne først.")
}

/// An election type may be deleted only while no election, active or not,
/// uses it: the election's eligibility rules come from it.
pub fn may_delete_election_type(elections_using_it: u64) -> Result<(), DeleteRefusal> {
    if elections_using_it > 0 {
        return Err(DeleteRefusal::ElectionTypeInUse(elections_using_it));
    }
    Ok(())
}

/// An area may be deleted only when it has no work locations and is not the
/// last area (every work location needs an area to be created in).
pub fn may_delete_area(work_locations_in_it: u64, areas_in_total: u64) -> Result<(), DeleteRefusal> {
    if work_locations_in_it > 0 {
        return Err(DeleteRefusal::AreaHasWorkLocations(work_locations_in_it));
    }
    if areas_in_total <= 1 {
        return Err(DeleteRefusal::LastArea);
    }
    Ok(())
}

/// Deleting a special diet is allowed, but while an election is active the
/// people it is removed from may already have been catered for: warn.
pub fn diet_delete_warning(active_elections: u64, participants_with_diet: u64) -> Option<String> {
    if active_elections == 0 {
        return None;
    }
    let people = match participants_with_diet {
        0 => "Ingen deltagere har valgt kosten.".to_owned(),
        1 => "Kosten fjernes fra 1 deltager.".to_owned(),
        n => format!("Kosten fjernes fra {n} deltagere."),
    };
    let elections =
        if active_elections == 1 { "et aktivt valg".to_owned() } else { format!("{active_elections} aktive valg") };
    Some(format!(
        "Der er {elections} i gang. Hvis du sletter specialkosten nu, forsvinder den fra deltagernes oplysninger, \
         også hvor forplejningen allerede er bestilt. {people}"
    ))
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_folded() {
        assert_eq!(Name::parse("  Nord   Vest ").unwrap().as_str(), "Nord Vest");
        assert_eq!(Name::parse(" \t\n"), Err(NameError::Empty));
        assert_eq!(Name::parse(""), Err(NameError::Empty));
    }

    #[test]
    fn name_length_counts_characters() {
        assert!(Name::parse(&"æ".repeat(MAX_NAME_CHARS)).is_ok());
        assert_eq!(Name::parse(&"æ".repeat(MAX_NAME_CHARS + 1)), Err(NameError::TooLong));
    }

    #[test]
    fn error_messages_name_the_field() {
        assert_eq!(NameError::Empty.message("titel"), "Udfyld titel");
        assert_eq!(NameError::TooLong.message("navn"), "Navn må højst være 255 tegn");
    }

    #[test]
    fn sameness_ignores_case_including_danish_letters() {
        let name = Name::parse("Østerbro Æble").unwrap();
        assert!(name.same_as("østerbro  æble"));
        assert!(name.same_as(" ØSTERBRO ÆBLE"));
        assert!(!name.same_as("Østerbro Æbler"));
        assert_eq!(name.key(), "østerbro æble");
    }

    #[test]
    fn danish_order_puts_ae_oe_aa_last() {
        let mut names = vec!["Åby", "Ørby", "Æby", "zulu", "Aby", "beta"];
        names.sort_by(|a, b| danish_order(a, b));
        assert_eq!(names, ["Aby", "beta", "zulu", "Æby", "Ørby", "Åby"]);
    }

    #[test]
    fn search_matches_every_word_ignoring_case() {
        assert!(matches_search("Kommunal- og regionsrådsvalg", "REGIONS"));
        assert!(matches_search("Kommunal- og regionsrådsvalg", "kommunal valg"));
        assert!(!matches_search("Kommunal- og regionsrådsvalg", "folketing"));
        assert!(matches_search("Nord", "  "));
    }

    #[test]
    fn election_type_in_use_cannot_be_deleted() {
        assert_eq!(may_delete_election_type(0), Ok(()));
        let refusal = may_delete_election_type(2).unwrap_err();
        assert_eq!(refusal, DeleteRefusal::ElectionTypeInUse(2));
        assert!(refusal.to_string().contains("bruges af 2 valg"));
    }

    #[test]
    fn area_with_work_locations_or_last_cannot_be_deleted() {
        assert_eq!(may_delete_area(0, 2), Ok(()));
        assert_eq!(may_delete_area(1, 2), Err(DeleteRefusal::AreaHasWorkLocations(1)));
        assert_eq!(may_delete_area(0, 1), Err(DeleteRefusal::LastArea));
        // Work locations are the more useful reason when both hold.
        assert_eq!(may_delete_area(3, 1), Err(DeleteRefusal::AreaHasWorkLocations(3)));
        assert!(DeleteRefusal::AreaHasWorkLocations(1).to_string().contains("har 1 arbejdssted."));
        assert!(DeleteRefusal::LastArea.to_string().contains("eneste område"));
    }

    #[test]
    fn diet_warning_only_while_an_election_is_active() {
        assert_eq!(diet_delete_warning(0, 5), None);
        let warning = diet_delete_warning(1, 5).unwrap();
        assert!(warning.contains("et aktivt valg"));
        assert!(warning.contains("5 deltagere"));
        assert!(diet_delete_warning(2, 1).unwrap().contains("1 deltager."));
    }
}
