//! A seat as an iCalendar file (RFC 5545) for the person's own calendar.
//!
//! Times are local Danish time with `TZID=Europe/Copenhagen` and the zone's
//! definition included, so a phone set to another zone still shows the task
//! at the hour it starts at the polling station.

use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};

/// What goes into the calendar entry.
pub struct CalendarTask<'a> {
    pub uid: String,
    pub summary: &'a str,
    pub location: &'a str,
    pub description: &'a str,
    pub date: NaiveDate,
    pub start: NaiveTime,
    pub end: NaiveTime,
}

/// The zone's rules since 1996 (EU summer time), as calendar clients expect.
const VTIMEZONE: &[&str] = &[
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Copenhagen",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
];

/// The whole file; lines end in CRLF and are folded at 75 octets.
pub fn ics(task: &CalendarTask<'_>, now: DateTime<Utc>) -> String {
    // A task ending at or before its start time ends the next day (night tasks).
    let end_date = if task.end <= task.start { task.date.checked_add_days(Days::new(1)) } else { Some(task.date) };
    let local = |date: NaiveDate, time: NaiveTime| format!("{}T{}", date.format("%Y%m%d"), time.format("%H%M%S"));
    let mut lines: Vec<String> =
        ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Valghalla//Deltagerportal//DA", "CALSCALE:GREGORIAN"]
            .iter()
            .chain(VTIMEZONE)
            .map(|l| (*l).to_owned())
            .collect();
    lines.extend([
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}", task.uid),
        format!("DTSTAMP:{}", now.format("%Y%m%dT%H%M%SZ")),
        format!("DTSTART;TZID=Europe/Copenhagen:{}", local(task.date, task.start)),
        format!("DTEND;TZID=Europe/Copenhagen:{}", local(end_date.unwrap_or(task.date), task.end)),
        format!("SUMMARY:{}", escape(task.summary)),
        format!("LOCATION:{}", escape(task.location)),
        format!("DESCRIPTION:{}", escape(task.description)),
        "END:VEVENT".to_owned(),
        "END:VCALENDAR".to_owned(),
    ]);
    lines.iter().map(|l| fold(l)).collect()
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace(';', "\\;").replace(',', "\\,").replace("\r\n", "\\n").replace('\n', "\\n")
}

/// One content line, folded into pieces of at most 75 octets (never inside
/// a UTF-8 character), each ending in CRLF.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut used = 0;
    for c in line.chars() {
        if used + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += c.len_utf8();
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(start: (u32, u32), end: (u32, u32)) -> CalendarTask<'static> {
        CalendarTask {
            uid: "seat-1@valghalla".into(),
            summary: "Tilforordnet; Folketingsvalg, 2027",
            location: "Korsbæk Skole, Skolevej 1, 4000 Korsbæk",
            description: "Hold: Socialdemokratiet",
            date: NaiveDate::from_ymd_opt(2027, 6, 1).unwrap(),
            start: NaiveTime::from_hms_opt(start.0, start.1, 0).unwrap(),
            end: NaiveTime::from_hms_opt(end.0, end.1, 0).unwrap(),
        }
    }

    #[test]
    fn a_day_task_is_local_copenhagen_time_with_crlf_lines() {
        let now = DateTime::parse_from_rfc3339("2026-11-27T14:00:00Z").unwrap().to_utc();
        let text = ics(&task((8, 0), (20, 0)), now);
        assert!(text.contains("\r\nDTSTART;TZID=Europe/Copenhagen:20270601T080000\r\n"), "{text}");
        assert!(text.contains("\r\nDTEND;TZID=Europe/Copenhagen:20270601T200000\r\n"), "{text}");
        assert!(text.contains("\r\nUID:seat-1@valghalla\r\n") && text.contains("DTSTAMP:20261127T140000Z"));
        assert!(text.contains("SUMMARY:Tilforordnet\\; Folketingsvalg\\, 2027\r\n"), "{text}");
        assert!(text.contains("TZID:Europe/Copenhagen\r\n") && text.ends_with("END:VCALENDAR\r\n"));
        assert!(text.split("\r\n").all(|l| !l.contains('\n') && l.len() <= 75), "{text}");
    }

    #[test]
    fn a_night_task_ends_the_next_day() {
        let text = ics(&task((20, 0), (2, 0)), Utc::now());
        assert!(text.contains("DTSTART;TZID=Europe/Copenhagen:20270601T200000\r\n"), "{text}");
        assert!(text.contains("DTEND;TZID=Europe/Copenhagen:20270602T020000\r\n"), "{text}");
    }

    #[test]
    fn long_lines_fold_between_characters() {
        let long = "æ".repeat(60);
        let folded = fold(&format!("DESCRIPTION:{long}"));
        assert!(folded.split("\r\n").all(|l| l.len() <= 75));
        assert_eq!(folded.replace("\r\n ", "").trim_end(), format!("DESCRIPTION:{long}"));
    }
}
