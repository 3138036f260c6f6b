//! Free seats as a person chooses among them ("Ledige opgaver" and a
//! filtered task-list link): one line per kind of seat with how many are
//! free, and the choices that narrow the lines by team, date, task type and
//! work location (reference §3), offered from what is actually free.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Deserialize;
use store::repo::portal::MySeat;
use uuid::Uuid;

use super::i18n::Lang;
use super::view::TaskView;
use crate::forms::FieldErrors;

/// One kind of seat (election, work location, team, task type, date) with
/// one of its free seats to take.
pub struct Offer {
    pub seat: Uuid,
    pub task: TaskView,
    pub count: usize,
    team: Uuid,
    task_type: Uuid,
    work_location: Uuid,
    date: NaiveDate,
}

/// The seats as lines, in the order given (by date).
pub fn offers(seats: &[MySeat], lang: Lang) -> Vec<Offer> {
    let mut out: Vec<Offer> = Vec::new();
    let mut line_of: BTreeMap<(Uuid, Uuid, Uuid, Uuid, NaiveDate), usize> = BTreeMap::new();
    for s in seats {
        let key = (s.election_id, s.work_location_id, s.team_id, s.task_type_id, s.date);
        match line_of.get(&key) {
            Some(&line) => out[line].count += 1,
            None => {
                line_of.insert(key, out.len());
                out.push(Offer {
                    seat: s.seat_id,
                    task: TaskView::new(s, lang),
                    count: 1,
                    team: s.team_id,
                    task_type: s.task_type_id,
                    work_location: s.work_location_id,
                    date: s.date,
                });
            }
        }
    }
    out
}

/// The narrowing as sent by the filter form (`?hold=…&dato=…&opgave=…&sted=…`).
#[derive(Debug, Default, Deserialize)]
pub struct FilterQuery {
    #[serde(default)]
    hold: String,
    #[serde(default)]
    dato: String,
    #[serde(default)]
    opgave: String,
    #[serde(default)]
    sted: String,
}

/// One option of a filter.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The filter form: each field's options (only values some line has) and
/// what was chosen.
pub struct Filters {
    pub teams: Vec<Choice>,
    pub dates: Vec<Choice>,
    pub task_types: Vec<Choice>,
    pub work_locations: Vec<Choice>,
    pub errors: FieldErrors,
    /// Whether anything narrows the list.
    pub active: bool,
}

impl Filters {
    /// The options `lines` offer, the query's choices among them, and the
    /// lines that match. A value that is no option (an old bookmark, a seat
    /// since taken) is named next to its field and does not narrow.
    pub fn apply(lines: Vec<Offer>, query: &FilterQuery) -> (Filters, Vec<Offer>) {
        let mut errors = FieldErrors::new();
        let teams = options(&lines, |o| (o.team.to_string(), o.task.team.clone()));
        let dates = options(&lines, |o| (o.date.to_string(), o.task.date.clone()));
        let task_types = options(&lines, |o| (o.task_type.to_string(), o.task.task_type.clone()));
        let places = options(&lines, |o| (o.work_location.to_string(), o.task.place.clone()));
        let team = chosen(&teams, &query.hold, "hold", "Vælg et hold fra listen.", &mut errors);
        let date = chosen(&dates, &query.dato, "dato", "Vælg en dato fra listen.", &mut errors);
        let task_type = chosen(&task_types, &query.opgave, "opgave", "Vælg en opgave fra listen.", &mut errors);
        let place = chosen(&places, &query.sted, "sted", "Vælg et arbejdssted fra listen.", &mut errors);
        let matches = |o: &Offer| {
            team.is_none_or(|v| v == o.team.to_string())
                && date.is_none_or(|v| v == o.date.to_string())
                && task_type.is_none_or(|v| v == o.task_type.to_string())
                && place.is_none_or(|v| v == o.work_location.to_string())
        };
        let active = [team, date, task_type, place].iter().any(Option::is_some);
        let choose = |options: Vec<(String, String)>, picked: Option<&str>| {
            options
                .into_iter()
                .map(|(value, label)| Choice { selected: picked == Some(value.as_str()), value, label })
                .collect()
        };
        let filters = Filters {
            teams: choose(teams, team),
            dates: choose(dates, date),
            task_types: choose(task_types, task_type),
            work_locations: choose(places, place),
            errors,
            active,
        };
        let shown = lines.into_iter().filter(|o| matches(o)).collect();
        (filters, shown)
    }
}

/// The distinct (value, label) pairs of the lines, by label (dates by day).
fn options(lines: &[Offer], pair: impl Fn(&Offer) -> (String, String)) -> Vec<(String, String)> {
    let mut seen: Vec<(String, String)> = Vec::new();
    for line in lines {
        let (value, label) = pair(line);
        if !seen.iter().any(|(v, _)| *v == value) {
            seen.push((value, label));
        }
    }
    seen.sort_by(|a, b| match (a.0.parse::<NaiveDate>(), b.0.parse::<NaiveDate>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => domain::master::danish_order(&a.1, &b.1),
    });
    seen
}

/// The query's value for a field if it is one of the options.
fn chosen<'a>(
    options: &[(String, String)],
    sent: &'a str,
    field: &str,
    message: &str,
    errors: &mut FieldErrors,
) -> Option<&'a str> {
    let sent = sent.trim();
    if sent.is_empty() {
        return None;
    }
    if options.iter().any(|(value, _)| value == sent) {
        return Some(sent);
    }
    errors.add(field, message);
    None
}
