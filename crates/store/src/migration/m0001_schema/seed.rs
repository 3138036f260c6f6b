//! Rows every tenant starts with. Fixed ids, so that seeds are recognisable
//! in every tenant database.

use chrono::Utc;
use sea_orm::prelude::Uuid;
use sea_orm_migration::prelude::*;

/// Ids of the seeded election types.
pub mod seeded {
    use sea_orm::prelude::Uuid;

    pub const FOLKETINGSVALG: Uuid = Uuid::from_u128(0x5eed_0001_0000_4000_8000_0000_0000_0001);
    pub const KOMMUNALVALG: Uuid = Uuid::from_u128(0x5eed_0001_0000_4000_8000_0000_0000_0002);
    pub const EUROPAPARLAMENTSVALG: Uuid = Uuid::from_u128(0x5eed_0001_0000_4000_8000_0000_0000_0003);
}

/// The standard Danish election types with rules (age 18, resident in the
/// municipality, Danish citizen, not under guardianship). The rules follow who
/// may vote in each election, since staff must be voters in the municipality:
/// only the Folketing requires Danish citizenship and excludes people under
/// guardianship. Staff can change the rules; these are defaults.
const ELECTION_TYPES: [(Uuid, &str, [bool; 4]); 3] = [
    (seeded::FOLKETINGSVALG, "Folketingsvalg og folkeafstemning", [true, true, true, true]),
    (seeded::KOMMUNALVALG, "Kommunal- og regionsrådsvalg", [true, true, false, false]),
    (seeded::EUROPAPARLAMENTSVALG, "Europa-Parlamentsvalg", [true, true, false, false]),
];

pub async fn seed(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let now = Utc::now();
    let mut types = Query::insert();
    types.into_table("election_types").columns([
        "id",
        "title",
        "title_key",
        "rule_age18",
        "rule_resident_in_municipality",
        "rule_danish_citizen",
        "rule_not_under_guardianship",
        "created_at",
        "updated_at",
    ]);
    for (id, title, [age18, resident, citizen, guardianship]) in ELECTION_TYPES {
        types.values_panic([
            id.into(),
            title.into(),
            // Seed titles are already folded; only the case differs.
            title.to_lowercase().into(),
            age18.into(),
            resident.into(),
            citizen.into(),
            guardianship.into(),
            now.into(),
            now.into(),
        ]);
    }
    manager.exec_stmt(types).await?;

    let contact = Query::insert()
        .into_table("contact_information")
        .columns(["id", "updated_at"])
        .values_panic([1.into(), now.into()])
        .take();
    manager.exec_stmt(contact).await
}
