//! Pieces shared by the team, task-type and work-location screens: form
//! fields as posted (repeated keys for checkbox lists and multi-selects),
//! choice lists and amounts in kroner.

use std::collections::BTreeSet;

use serde::Deserialize;
use uuid::Uuid;

use crate::error::Result;

/// A posted form as its (name, value) pairs, in order. Unlike a struct, this
/// keeps every value of a repeated name (`responsibles=a&responsibles=b`).
#[derive(Debug, Default, Deserialize)]
#[serde(transparent)]
pub struct Pairs(pub Vec<(String, String)>);

impl Pairs {
    /// The first value of `name`, or "".
    pub fn text(&self, name: &str) -> String {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    /// Every id posted under `name`; anything that is not an id is ignored
    /// (a hand-made post cannot do more than leave it out).
    pub fn ids(&self, name: &str) -> BTreeSet<Uuid> {
        self.0.iter().filter(|(k, _)| k == name).filter_map(|(_, v)| Uuid::parse_str(v.trim()).ok()).collect()
    }
}

/// One option of a checkbox list or multi-select.
#[derive(Debug, Clone)]
pub struct Choice {
    pub id: Uuid,
    pub label: String,
    pub checked: bool,
}

pub fn choices(all: Vec<(Uuid, String)>, selected: &BTreeSet<Uuid>) -> Vec<Choice> {
    all.into_iter().map(|(id, label)| Choice { checked: selected.contains(&id), id, label }).collect()
}

/// The labels of the selected choices, for read-only display.
pub fn selected_labels(choices: &[Choice]) -> Vec<String> {
    choices.iter().filter(|c| c.checked).map(|c| c.label.clone()).collect()
}

/// Existing participants by name: the choices for responsibles.
pub async fn participant_choices(db: &sea_orm::DatabaseConnection, selected: &BTreeSet<Uuid>) -> Result<Vec<Choice>> {
    let all = store::repo::staffing::participant_choices(db).await?;
    Ok(choices(all, selected))
}

/// "1.500 kr." — whole kroner with Danish thousands separators.
pub fn kroner(amount: i32) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    let sign = if amount < 0 { "-" } else { "" };
    format!("{sign}{grouped} kr.")
}

/// "830 B", "12 kB", "3,4 MB".
pub fn file_size(bytes: i64) -> String {
    const KB: i64 = 1024;
    match bytes {
        b if b < KB => format!("{b} B"),
        b if b < KB * KB => format!("{} kB", (b + KB / 2) / KB),
        b => {
            let tenths = (b * 10 + KB * KB / 2) / (KB * KB);
            format!("{},{} MB", tenths / 10, tenths % 10)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_names_keep_every_value() {
        let a = Uuid::new_v4();
        let b = Uuid::new_v4();
        let pairs = Pairs(vec![
            ("teams".into(), a.to_string()),
            ("title".into(), "Skolen".into()),
            ("teams".into(), b.to_string()),
            ("teams".into(), "not-an-id".into()),
        ]);
        assert_eq!(pairs.ids("teams"), BTreeSet::from([a, b]));
        assert_eq!(pairs.text("title"), "Skolen");
        assert_eq!(pairs.text("missing"), "");
    }

    #[test]
    fn kroner_use_danish_separators() {
        assert_eq!(kroner(0), "0 kr.");
        assert_eq!(kroner(950), "950 kr.");
        assert_eq!(kroner(1500), "1.500 kr.");
        assert_eq!(kroner(1_234_567), "1.234.567 kr.");
    }

    #[test]
    fn file_sizes_read_the_danish_way() {
        assert_eq!(file_size(830), "830 B");
        assert_eq!(file_size(12 * 1024 + 100), "12 kB");
        assert_eq!(file_size(3_565_158), "3,4 MB");
    }
}
