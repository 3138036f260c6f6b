//! The demo's people: three admins, one per role, and about 200 fictional
//! participants. Names are combined from common Danish first and last names;
//! CPR numbers are made up (birth date + serial) and belong to nobody we
//! know of — the demo never sends them anywhere.

use chrono::{Duration, NaiveDate};
use domain::AdminRole;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The demo's admins: (FK test user in the simulator, name, FK UUID, role).
/// They sign in through the simulated FK Adgangsstyring; the rows exist
/// beforehand so that Anna's MitID can be linked for the fallback.
pub const ADMINS: [(&str, &str, &str, AdminRole); 3] = [
    ("admin", "Anna Administrator", "6f1c2b0e-6a61-4c1e-9a55-0a0000000001", AdminRole::Administrator),
    ("sekretariat", "Søren Sekretær", "6f1c2b0e-6a61-4c1e-9a55-0a0000000002", AdminRole::Secretariat),
    ("laeser", "Lars Læser", "6f1c2b0e-6a61-4c1e-9a55-0a0000000003", AdminRole::Reader),
];

const FIRST_NAMES: [&str; 24] = [
    "Anne", "Mette", "Kirsten", "Hanne", "Helle", "Susanne", "Lene", "Maria", "Louise", "Camilla", "Ida", "Freja",
    "Peter", "Jens", "Lars", "Michael", "Henrik", "Søren", "Thomas", "Jørgen", "Niels", "Mads", "Rasmus", "Karen",
];
const MIDDLE_NAMES: [&str; 6] = ["Marie", "Sofie", "Kristian", "Østergaard", "Bach", "Holm"];
const LAST_NAMES: [&str; 20] = [
    "Nielsen",
    "Jensen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Christiansen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
];
const STREETS: [&str; 8] =
    ["Skolevej", "Torvet", "Østergade", "Vestergade", "Mosevej", "Engvej", "Strandparken", "Sønderallé"];

/// One generated participant.
pub struct DemoPerson {
    pub cpr: String,
    pub first_name: String,
    pub last_name: String,
    pub street_address: String,
    pub birth_date: NaiveDate,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub exempt_digital_post: bool,
    pub protected_address: bool,
    /// Index into the demo's teams.
    pub team: usize,
}

/// `count` people, the same every run (fixed seed), unique CPR numbers.
pub fn generate(count: usize, today: NaiveDate) -> Vec<DemoPerson> {
    let mut rng = StdRng::seed_from_u64(0x4b6f_7273_6261_656b);
    let mut people = Vec::with_capacity(count);
    let mut seen = std::collections::HashSet::new();
    while people.len() < count {
        let person = one(&mut rng, today, people.len());
        if seen.insert(person.cpr.clone()) {
            people.push(person);
        }
    }
    people
}

fn one(rng: &mut StdRng, today: NaiveDate, n: usize) -> DemoPerson {
    // Ages 19–78, so everybody is of age on election day.
    let birth_date = today - Duration::days(rng.random_range(19 * 365..78 * 365));
    let first = FIRST_NAMES[rng.random_range(0..FIRST_NAMES.len())];
    let first_name = if rng.random_bool(0.25) {
        format!("{first} {}", MIDDLE_NAMES[rng.random_range(0..MIDDLE_NAMES.len())])
    } else {
        first.to_owned()
    };
    let last_name = LAST_NAMES[rng.random_range(0..LAST_NAMES.len())].to_owned();
    let login = format!("{}.{}{}", ascii(first), ascii(&last_name), n);
    DemoPerson {
        cpr: format!("{}{}", domain::cpr::date_part(birth_date), serial(rng, birth_date)),
        street_address: format!("{} {}", STREETS[rng.random_range(0..STREETS.len())], rng.random_range(1..120)),
        birth_date,
        mobile: rng.random_bool(0.9).then(|| format!("{}", rng.random_range(20_000_000..29_999_999))),
        email: rng.random_bool(0.8).then(|| format!("{login}@example.dk")),
        exempt_digital_post: rng.random_bool(0.07),
        protected_address: rng.random_bool(0.02),
        team: n % 6,
        first_name,
        last_name,
    }
}

/// A four-digit serial whose first digit gives the right century for the
/// birth year (CPR rule: 0–3 for 1900–1999, 4/9 and 5–8 for the 2000s).
fn serial(rng: &mut StdRng, birth: NaiveDate) -> String {
    use chrono::Datelike;
    let first = if birth.year() < 2000 { rng.random_range(0..4) } else { 4 };
    format!("{first}{:03}", rng.random_range(0..1000))
}

fn ascii(name: &str) -> String {
    name.to_lowercase()
        .replace('æ', "ae")
        .replace('ø', "oe")
        .replace('å', "aa")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

/// Creates the demo admins as a first FK sign-in would, and links Anna's
/// MitID (CPR `linked_cpr`) for the fallback sign-in.
pub async fn seed_admins(
    db: &impl store::repo::Conn,
    vault: &store::crypto::CprVault,
    linked_cpr: &str,
) -> anyhow::Result<()> {
    use sea_orm::{ActiveModelTrait, Set};
    use store::repo::users::{NewUser, bind_cpr, create};
    let actor = store::repo::Actor::system();
    for (i, (_, name, fk_uuid, role)) in ADMINS.into_iter().enumerate() {
        let new = NewUser { name: name.to_owned(), email: None, fk_uuid: Some(fk_uuid.to_owned()), role };
        let user = create(db, &actor, new).await?;
        // The roles FK "last granted": what the fallback may give.
        let mut row: store::entity::users::ActiveModel = user.clone().into();
        row.last_fk_roles = Set(role.as_str().to_owned());
        row.last_fk_login_at = Set(Some(chrono::Utc::now()));
        row.update(db).await?;
        if i == 0 {
            bind_cpr(db, vault, &actor, user.id, &domain::CprNumber::parse(linked_cpr)?).await?;
        }
    }
    Ok(())
}

/// A participant as seeded: what choosing whom to invite needs.
pub struct Seeded {
    pub id: uuid::Uuid,
    pub team: uuid::Uuid,
    pub exempt_digital_post: bool,
    /// Has an e-mail address or a mobile number: reachable without Digital Post.
    pub has_contact: bool,
}

/// Creates the participants through the repository, so their CPR numbers are
/// encrypted and hashed like any other, and puts each in one team.
pub async fn seed_participants(
    db: &impl store::repo::Conn,
    vault: &store::crypto::CprVault,
    team_ids: &[uuid::Uuid],
    today: NaiveDate,
) -> anyhow::Result<Vec<Seeded>> {
    use sea_orm::{ActiveModelTrait, Set};
    use store::repo::participants::{Contact, CprData, NewParticipant, ValidationState, create};
    let people = generate(200, today);
    let mut seeded = Vec::with_capacity(people.len());
    for p in &people {
        let data = CprData {
            first_name: p.first_name.clone(),
            last_name: p.last_name.clone(),
            street_address: p.street_address.clone(),
            co_address: String::new(),
            postal_code: "4999".into(),
            city: "Korsbæk".into(),
            municipality_code: Some(domain::MunicipalityCode::parse(super::super::MUNICIPALITY_CODE)?),
            citizenship: Some(domain::CountryCode::DENMARK),
            birth_date: p.birth_date,
            deceased: false,
            disappeared: false,
            under_guardianship: false,
            exempt_digital_post: p.exempt_digital_post,
            protected_address: p.protected_address,
            source: "demo".into(),
            fetched_at: chrono::Utc::now(),
        };
        let contact = Contact {
            mobile: p.mobile.as_deref().map(domain::Mobile::parse).transpose()?,
            email: p.email.as_deref().map(domain::Email::parse).transpose()?,
        };
        let new = NewParticipant {
            cpr: domain::CprNumber::parse(&p.cpr)?,
            data,
            contact,
            validation: ValidationState::Valid,
            consent_until: None,
        };
        let participant = create(db, vault, &store::repo::Actor::system(), new).await?;
        store::entity::team_members::ActiveModel {
            team_id: Set(team_ids[p.team]),
            participant_id: Set(participant.id),
        }
        .insert(db)
        .await?;
        seeded.push(Seeded {
            id: participant.id,
            team: team_ids[p.team],
            exempt_digital_post: p.exempt_digital_post,
            has_contact: p.mobile.is_some() || p.email.is_some(),
        });
    }
    Ok(seeded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_are_stable_unique_and_have_valid_cpr_numbers() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let people = generate(200, today);
        assert_eq!(people.len(), 200);
        let again = generate(200, today);
        assert!(people.iter().zip(&again).all(|(a, b)| a.cpr == b.cpr));
        for p in &people {
            let cpr = domain::CprNumber::parse(&p.cpr).expect("valid CPR");
            assert_eq!(cpr.birth_date(), p.birth_date, "century rule must give the birth date back");
            assert!(domain::age_on(p.birth_date, today) >= 18);
            if let Some(m) = &p.mobile {
                domain::Mobile::parse(m).expect("valid mobile");
            }
            if let Some(e) = &p.email {
                domain::Email::parse(e).expect("valid e-mail");
            }
        }
    }
}
