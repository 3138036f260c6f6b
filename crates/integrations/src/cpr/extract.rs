//! CPR extract files (P12170 "ændringsudtræk/statusudtræk", reference
//! cpr-data.md part A): fixed-width records, one per line, ISO-8859-1.
//!
//! Pure: bytes in, records out. The file is accepted or rejected whole: a
//! file without its trailer, or whose trailer counts a different number of
//! records, was cut off or tampered with, and a half-read file must not
//! overwrite the local copy with partial people.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use domain::{CountryCode, CprNumber, MunicipalityCode};

use super::record::{
    Address, AddressKind, Citizenship, CprRecord, DigitalPost, Emigration, Guardianship, PersonName, PersonStatus, Sex,
};

/// The start record (000).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// OPGAVENR.
    pub task_number: String,
    /// PRODDTO: the day the file describes. Protections and guardianships
    /// are judged active or not on this day, which keeps parsing pure.
    pub produced_on: NaiveDate,
    /// PRODDTOFORRIG: the previous file's production day (detects a missed file).
    pub previous_produced_on: Option<NaiveDate>,
}

/// A whole, checked extract file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extract {
    pub header: Header,
    /// One record per person (per 001 record), in file order.
    pub persons: Vec<CprRecord>,
    /// Records of types we do not read, by record type (e.g. "099", "020").
    pub skipped: BTreeMap<String, u32>,
    /// Data records between start and trailer (what the trailer counts).
    pub data_records: u32,
}

impl Extract {
    pub fn skipped_total(&self) -> u32 {
        self.skipped.values().sum()
    }
}

/// Why a file was rejected. Never quotes a line: lines hold CPR numbers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    #[error("filen er tom")]
    Empty,
    #[error("filen starter ikke med en startrecord (000)")]
    NoHeader,
    #[error("startrecorden har ingen gyldig produktionsdato")]
    BadHeader,
    #[error("filen mangler sin slutrecord (999) og er afvist i sin helhed")]
    NoTrailer,
    #[error("slutrecorden tæller {stated} records, men filen har {found}; filen er afvist")]
    CountMismatch { stated: u32, found: u32 },
    #[error("der står data efter slutrecorden (linje {line})")]
    AfterTrailer { line: usize },
    #[error("linje {line}: ugyldigt CPR-nummer")]
    BadCpr { line: usize },
    #[error("linje {line}: record for en person uden forudgående personrecord (001)")]
    Orphan { line: usize },
    #[error("linje {line}: {field} er ugyldig")]
    BadField { line: usize, field: &'static str },
}

/// Nominal lengths (reference A.1); lines may arrive with trailing spaces
/// stripped and are padded back to these before slicing.
fn nominal_length(kind: &str) -> usize {
    match kind {
        "000" => 35,
        "001" => 106,
        "002" => 306,
        "003" => 249,
        "004" => 37,
        "005" => 200,
        "006" => 203,
        "007" => 26,
        "008" => 193,
        "010" => 30,
        "012" => 95,
        "017" => 272,
        "052" => 287,
        "999" => 21,
        _ => 0,
    }
}

/// Decodes ISO-8859-1: every byte is the code point of the same value, so
/// character positions equal byte positions as the layouts assume.
pub fn decode_latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// One line, padded, sliced by the reference's 1-based positions.
struct Line {
    chars: Vec<char>,
    number: usize,
}

impl Line {
    fn new(text: &str, number: usize) -> Line {
        let mut chars: Vec<char> = text.chars().collect();
        let kind: String = chars.iter().take(3).collect();
        let length = nominal_length(&kind);
        if chars.len() < length {
            chars.resize(length, ' ');
        }
        Line { chars, number }
    }

    fn kind(&self) -> String {
        self.raw(1, 3)
    }

    /// Positions `pos..pos+len` (1-based), untrimmed; past the end reads as blanks.
    fn raw(&self, pos: usize, len: usize) -> String {
        (pos - 1..pos - 1 + len).map(|i| self.chars.get(i).copied().unwrap_or(' ')).collect()
    }

    fn text(&self, pos: usize, len: usize) -> String {
        self.raw(pos, len).trim().to_owned()
    }

    fn opt(&self, pos: usize, len: usize) -> Option<String> {
        Some(self.text(pos, len)).filter(|t| !t.is_empty())
    }

    /// `yyyy-MM-dd` (the *_DT fields).
    fn dash_date(&self, pos: usize) -> Option<NaiveDate> {
        parse_dash_date(&self.text(pos, 10))
    }

    /// `yyyyMMddHHmm` or `yyyyMMdd` (the *DTO / *HAENSTART fields).
    fn compact_date(&self, pos: usize, len: usize) -> Option<NaiveDate> {
        parse_compact_date(&self.text(pos, len))
    }

    fn bad(&self, field: &'static str) -> ExtractError {
        ExtractError::BadField { line: self.number, field }
    }
}

/// "No date" is blanks or zeros; a day or month of `00` (unknown) falls back
/// to the first of the month or year rather than failing the file.
fn parse_dash_date(text: &str) -> Option<NaiveDate> {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    parse_compact_date(&digits)
}

fn parse_compact_date(text: &str) -> Option<NaiveDate> {
    if text.len() < 8 || !text[..8].bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i32 = text[..4].parse().ok()?;
    let month: u32 = text[4..6].parse().ok()?;
    let day: u32 = text[6..8].parse().ok()?;
    if year == 0 {
        return None;
    }
    NaiveDate::from_ymd_opt(year, month.max(1), day.max(1))
}

/// Parses a whole file. `bytes` is ISO-8859-1 as delivered by CPR.
pub fn parse(bytes: &[u8]) -> Result<Extract, ExtractError> {
    parse_text(&decode_latin1(bytes))
}

/// Parses already decoded text (e.g. a UTF-8 test fixture).
pub fn parse_text(text: &str) -> Result<Extract, ExtractError> {
    let mut lines =
        text.lines().enumerate().map(|(i, l)| (i + 1, l.trim_end_matches('\r'))).filter(|(_, l)| !l.trim().is_empty());
    let (first_no, first) = lines.next().ok_or(ExtractError::Empty)?;
    let header_line = Line::new(first, first_no);
    if header_line.kind() != "000" {
        return Err(ExtractError::NoHeader);
    }
    let header = Header {
        task_number: header_line.text(14, 6),
        produced_on: header_line.compact_date(20, 8).ok_or(ExtractError::BadHeader)?,
        previous_produced_on: header_line.compact_date(28, 8),
    };
    let today = header.produced_on;

    let mut persons: Vec<PersonBuilder> = Vec::new();
    let mut skipped: BTreeMap<String, u32> = BTreeMap::new();
    let mut data_records = 0u32;
    let mut trailer: Option<u32> = None;
    for (number, text) in lines {
        let line = Line::new(text, number);
        if trailer.is_some() {
            return Err(ExtractError::AfterTrailer { line: number });
        }
        let kind = line.kind();
        if kind == "999" {
            let count = line.text(14, 8).parse::<u32>().map_err(|_| line.bad("TAELLER"))?;
            trailer = Some(count);
            continue;
        }
        data_records += 1;
        match kind.as_str() {
            "001" => persons.push(PersonBuilder::start(&line)?),
            "002" | "003" | "004" | "005" | "006" | "007" | "008" | "010" | "012" | "017" | "052" => {
                let person = persons.last_mut().ok_or(ExtractError::Orphan { line: number })?;
                if line.raw(4, 10) != person.pnr {
                    return Err(ExtractError::Orphan { line: number });
                }
                person.add(&kind, line);
            }
            // 099 events, 910 errors, 997 receipts, history and every type we
            // have not chosen: counted so an operator sees them, not read.
            _ => *skipped.entry(kind).or_default() += 1,
        }
    }
    let stated = trailer.ok_or(ExtractError::NoTrailer)?;
    if stated != data_records {
        return Err(ExtractError::CountMismatch { stated, found: data_records });
    }
    let persons = persons.into_iter().map(|p| p.build(today)).collect::<Result<_, _>>()?;
    Ok(Extract { header, persons, skipped, data_records })
}

/// The records of one person, collected until the next 001.
struct PersonBuilder {
    pnr: String,
    p001: Line,
    others: Vec<(String, Line)>,
}

impl PersonBuilder {
    fn start(line: &Line) -> Result<PersonBuilder, ExtractError> {
        let pnr = line.raw(4, 10);
        Ok(PersonBuilder { pnr, p001: Line { chars: line.chars.clone(), number: line.number }, others: Vec::new() })
    }

    fn add(&mut self, kind: &str, line: Line) {
        self.others.push((kind.to_owned(), line));
    }

    fn find(&self, kind: &str) -> Option<&Line> {
        self.others.iter().find(|(k, _)| k == kind).map(|(_, l)| l)
    }

    fn build(self, today: NaiveDate) -> Result<CprRecord, ExtractError> {
        let p = &self.p001;
        let cpr = CprNumber::parse(&self.pnr).map_err(|_| ExtractError::BadCpr { line: p.number })?;
        let current_cpr = match p.opt(14, 10) {
            Some(text) => Some(CprNumber::parse(&text).map_err(|_| p.bad("PNRGAELD"))?),
            None => None,
        };
        let status_code = p.text(24, 2).parse::<u16>().map_err(|_| p.bad("STATUS"))?;
        let mut status = PersonStatus::from_code(status_code);
        let status_date = p.compact_date(26, 12);
        let sex = match p.text(39, 1).as_str() {
            "M" => Some(Sex::Male),
            "K" => Some(Sex::Female),
            _ => None,
        };
        let birth_date = p.dash_date(40).unwrap_or_else(|| cpr.birth_date());

        // 012 CIVST=D also means dead (SOFD relies on it); trust it even if
        // 001 was not updated in the same file.
        if self.find("012").is_some_and(|l| l.text(14, 1) == "D") {
            status = PersonStatus::Dead;
        }

        let a003 = self.find("003");
        let name = match self.find("008") {
            Some(l) => PersonName {
                first_names: l.text(14, 50),
                middle_name: l.opt(65, 40),
                last_name: l.text(106, 40),
                addressing_name: l.opt(160, 34).or_else(|| a003.and_then(|a| a.opt(14, 34))),
            },
            None => PersonName {
                first_names: String::new(),
                middle_name: None,
                last_name: String::new(),
                addressing_name: a003.and_then(|a| a.opt(14, 34)),
            },
        };

        let citizenship = match self.find("010") {
            Some(l) => Some(Citizenship {
                country: CountryCode::parse(&l.text(14, 4)).map_err(|_| l.bad("LANDEKOD"))?,
                country_name: None,
                since: l.compact_date(18, 12),
            }),
            None => None,
        };

        let emigration = self.find("005").map(|l| Emigration {
            country: CountryCode::parse(&l.text(14, 4)).ok(),
            country_name: None,
            date: l.compact_date(18, 12),
        });

        let address = match (self.find("002"), a003, self.find("005")) {
            (Some(l), a003, _) => Some(domestic_address(l, a003)?),
            (None, _, Some(l)) => Some(abroad_address(l)),
            _ => None,
        };

        let contact_address =
            self.find("006").map(|l| (0..5).filter_map(|i| l.opt(14 + 34 * i, 34)).collect()).unwrap_or_default();

        // 017 or its successor 052; ended when SLET_DT lies on or before today.
        let guardianship = ["017", "052"]
            .iter()
            .filter_map(|k| self.find(k))
            .find(|l| l.dash_date(25).is_none_or(|end| end > today))
            .map(|l| Guardianship { under_guardianship: true, since: l.dash_date(14) })
            .unwrap_or_default();

        // Only type 0001 hides name and address; 0002-0004 concern directories,
        // marketing and research.
        let protected_address = self.others.iter().any(|(k, l)| {
            k == "004"
                && l.text(14, 4) == "0001"
                && l.dash_date(18).is_none_or(|start| start <= today)
                && l.dash_date(28).is_none_or(|end| today < end)
        });

        let disappeared_on = self.find("007").and_then(|l| l.compact_date(14, 12)).or(if status.is_disappeared() {
            status_date
        } else {
            None
        });

        Ok(CprRecord {
            age: Some(domain::age_on(birth_date, today)),
            cpr,
            current_cpr,
            name,
            birth_date,
            sex,
            status,
            status_date,
            citizenship,
            address,
            emigration,
            contact_address,
            guardianship,
            protected_address,
            // Digital Post registration is not in CPR extracts.
            digital_post: DigitalPost::Unknown,
            disappeared_on,
        })
    }
}

fn domestic_address(l: &Line, a003: Option<&Line>) -> Result<Address, ExtractError> {
    let municipality = MunicipalityCode::parse(&l.text(14, 4)).map_err(|_| l.bad("KOMKOD"))?;
    // 003 has the printed street line; without it, compose one from 002.
    let street = a003.and_then(|a| a.opt(116, 34)).unwrap_or_else(|| {
        let parts = [l.text(22, 4).trim_start_matches('0').to_owned(), trim_floor(&l.text(26, 2)), l.text(28, 4)];
        parts.into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" ")
    });
    Ok(Address {
        kind: AddressKind::Domestic,
        street,
        co_name: l.opt(36, 34).or_else(|| a003.and_then(|a| a.opt(48, 34))),
        locality: a003.and_then(|a| a.opt(82, 34)),
        postal_code: a003.and_then(|a| a.opt(184, 4)),
        city: a003.and_then(|a| a.opt(188, 20)),
        municipality: Some(municipality),
        country: None,
        moved_in: l.compact_date(70, 12),
        polling_district: None,
        lines: Vec::new(),
    })
}

fn abroad_address(l: &Line) -> Address {
    let lines: Vec<String> = (0..5).filter_map(|i| l.opt(31 + 34 * i, 34)).collect();
    Address {
        kind: AddressKind::Abroad,
        street: lines.first().cloned().unwrap_or_default(),
        co_name: None,
        locality: None,
        postal_code: None,
        city: lines.get(1).cloned(),
        municipality: None,
        country: CountryCode::parse(&l.text(14, 4)).ok(),
        moved_in: None,
        polling_district: None,
        lines,
    }
}

/// `02` → `2`; `st` and `kl` stay.
fn trim_floor(floor: &str) -> String {
    let trimmed = floor.trim_start_matches('0');
    if trimmed.is_empty() && !floor.is_empty() { "0".to_owned() } else { trimmed.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_tolerate_zeros_and_unknown_days() {
        assert_eq!(parse_compact_date("000000000000"), None);
        assert_eq!(parse_compact_date("            "), None);
        assert_eq!(parse_compact_date("201001150000"), NaiveDate::from_ymd_opt(2010, 1, 15));
        assert_eq!(parse_dash_date("1950-00-00"), NaiveDate::from_ymd_opt(1950, 1, 1));
        assert_eq!(parse_dash_date("1950-13-40"), None);
    }

    #[test]
    fn floors_lose_leading_zeros() {
        assert_eq!(trim_floor("02"), "2");
        assert_eq!(trim_floor("st"), "st");
        assert_eq!(trim_floor(""), "");
    }
}
