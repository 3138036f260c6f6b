//! Extra valid persons for benchmarks (a CPR sync of 10 000 participants needs 10 000
//! people the simulator knows). Deterministic per seed so that a benchmark and the
//! participant list it syncs can be generated independently and still agree.

use chrono::{Datelike as _, Duration, NaiveDate};

use super::persons::{Address, Person};

const FIRST: [&str; 16] = [
    "Anne", "Mette", "Kirsten", "Hanne", "Ida", "Freja", "Søs", "Åse", "Peter", "Jens", "Lars", "Søren", "Jørgen",
    "Niels", "Mads", "Bjørn",
];
const MIDDLE: [&str; 5] = ["Marie", "Kristian", "Østergaard", "Bach", "Holm"];
const LAST: [&str; 12] = [
    "Nielsen",
    "Jensen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Møller",
    "Mortensen",
    "Kjær",
    "Æbelø",
];
const STREETS: [(&str, &str); 6] = [
    ("0101", "Skolevej"),
    ("0102", "Torvet"),
    ("0103", "Østergade"),
    ("0104", "Vestergade"),
    ("0105", "Mosevej"),
    ("0106", "Sønderallé"),
];

/// splitmix64: tiny, good enough for fixture variety, and no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// `count` residents (status 1), about 90 % in Korsbæk (0999), born 1940–2006, unique CPR
/// numbers none of which `taken` reports as already used.
pub fn persons(count: usize, seed: u64, taken: impl Fn(&str) -> bool) -> Vec<Person> {
    let mut rng = Rng(seed ^ 0x4b6f_7273_6261_656b);
    let mut out = Vec::with_capacity(count);
    let mut seen = std::collections::HashSet::with_capacity(count);
    let first_day = NaiveDate::from_ymd_opt(1940, 1, 1).expect("date");
    let span = (NaiveDate::from_ymd_opt(2006, 12, 31).expect("date") - first_day).num_days() as u64;
    while out.len() < count {
        let born = first_day + Duration::days(rng.below(span + 1) as i64);
        let pnr = pnr_for(born, &mut rng);
        if taken(&pnr) || !seen.insert(pnr.clone()) {
            continue;
        }
        out.push(person(pnr, out.len(), &mut rng));
    }
    out
}

/// The 7th digit tells the century (domain::cpr): 0–3 for the 1900s, 4 for 2000–2036.
fn pnr_for(born: NaiveDate, rng: &mut Rng) -> String {
    let seventh = if born.year() < 2000 { rng.below(4) } else { 4 };
    format!("{}{seventh}{:03}", domain::cpr::date_part(born), rng.below(1000))
}

fn person(pnr: String, n: usize, rng: &mut Rng) -> Person {
    let here = rng.chance(90);
    let (road_code, street) = STREETS[rng.below(STREETS.len() as u64) as usize];
    let address = if here {
        Address {
            municipality_code: "0999".into(),
            municipality_name: Some("Korsbæk".into()),
            municipality_cvr: Some("12345674".into()),
            road_code: road_code.into(),
            street: street.into(),
            street_addressing_name: None,
            house_number: (1 + rng.below(120)).to_string(),
            floor: rng.chance(30).then(|| ["st", "1", "2", "3"][rng.below(4) as usize].to_owned()),
            door: None,
            postal_code: "4999".into(),
            postal_district: "Korsbæk".into(),
            town: None,
            locality: None,
            co_name: None,
            moved_in: NaiveDate::from_ymd_opt(2010 + rng.below(15) as i32, 1 + rng.below(12) as u32, 1),
            moved_out: None,
            polling_district_code: Some(format!("{:02}", 1 + rng.below(3))),
            polling_district: None,
            address_uuid: None,
        }
    } else {
        Address {
            municipality_code: "0751".into(),
            municipality_name: Some("Aarhus".into()),
            municipality_cvr: None,
            road_code: "0123".into(),
            street: "Testvej".into(),
            street_addressing_name: None,
            house_number: (1 + rng.below(80)).to_string(),
            floor: None,
            door: None,
            postal_code: "8000".into(),
            postal_district: "Aarhus C".into(),
            town: None,
            locality: None,
            co_name: None,
            moved_in: None,
            moved_out: None,
            polling_district_code: None,
            polling_district: None,
            address_uuid: None,
        }
    };
    let foreign = rng.chance(4);
    Person {
        label: Some(format!("generated-{n}")),
        first_name: rng.pick(&FIRST).into(),
        middle_name: rng.chance(25).then(|| rng.pick(&MIDDLE).to_owned()),
        last_name: rng.pick(&LAST).into(),
        addressing_name: None,
        name_since: None,
        previous_last_name: None,
        birth_date: None,
        sex: None,
        status: 1,
        status_date: None,
        current_pnr: None,
        citizenship: if foreign { "5120".into() } else { "5100".into() },
        citizenship_name: Some(if foreign { "Sverige" } else { "Danmark" }.into()),
        citizenship_since: None,
        civil_status: ["U", "G", "F", "E"][rng.below(4) as usize].into(),
        civil_status_since: None,
        occupation: None,
        guardianship: None,
        protection: None,
        digital_post: Some(!rng.chance(7)),
        nemsms: Some(rng.chance(20)),
        disappeared_on: None,
        address: Some(address),
        previous_address: None,
        emigration: None,
        contact_address: Vec::new(),
        pnr,
    }
}

#[cfg(test)]
mod tests {
    use super::super::persons::Persons;

    #[test]
    fn ten_thousand_valid_unique_deterministic_persons() {
        let a = Persons::builtin().with_generated(10_000, 7);
        assert_eq!(a.len(), Persons::builtin().len() + 10_000);
        assert!(a.iter().all(|p| p.validate().is_ok()));
        assert_eq!(a, Persons::builtin().with_generated(10_000, 7), "same seed, same persons");
        assert_ne!(a, Persons::builtin().with_generated(10_000, 8));
    }
}
