//! How the portal shows a task, the same on every page.

use domain::TaskTimes;
use store::repo::portal::MySeat;

use super::i18n::Lang;

/// A seat's task as a person reads it.
pub struct TaskView {
    pub task_type: String,
    pub election: String,
    pub date: String,
    /// "08:00–20:00", or "20:00–02:00 (+1 dag)" for a night task.
    pub time: String,
    pub place: String,
    pub address: String,
    pub team: String,
    pub payment: Option<String>,
}

impl TaskView {
    pub fn new(s: &MySeat, lang: Lang) -> Self {
        let hm = |t: chrono::NaiveTime| t.format("%H:%M").to_string();
        let time = match TaskTimes::new(s.start, s.end) {
            Ok(times) if times.passes_midnight() => format!("{}–{} {}", hm(s.start), hm(s.end), lang.t("(+1 dag)")),
            Ok(_) => format!("{}–{}", hm(s.start), hm(s.end)),
            Err(_) => hm(s.start),
        };
        TaskView {
            task_type: s.task_type.clone(),
            election: s.election.clone(),
            date: s.date.format("%d-%m-%Y").to_string(),
            time,
            place: s.work_location.clone(),
            address: s.address.clone(),
            team: s.team.clone(),
            payment: s.payment_kr.map(|kr| lang.fill("{beløb} kr.", [("beløb", &kr.to_string())])),
        }
    }
}
