//! Who may do what in the admin app (SPEC §4). The web layer asks these
//! questions in one place per router; the answers live here.

use std::fmt;

/// An admin's role. Roles come from FK Adgangsstyring privileges (or, until
/// sign-in lands, from the demo's seeded users).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AdminRole {
    /// Everything.
    Administrator,
    /// Everything but users, settings and the audit log.
    Secretariat,
    /// Reads only; CPR numbers masked.
    Reader,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("ukendt rolle \"{0}\"")]
pub struct UnknownRole(pub String);

impl AdminRole {
    pub const ALL: [AdminRole; 3] = [AdminRole::Administrator, AdminRole::Secretariat, AdminRole::Reader];

    /// Stable key stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            AdminRole::Administrator => "administrator",
            AdminRole::Secretariat => "secretariat",
            AdminRole::Reader => "reader",
        }
    }

    pub fn parse(key: &str) -> Result<AdminRole, UnknownRole> {
        AdminRole::ALL.into_iter().find(|r| r.as_str() == key).ok_or_else(|| UnknownRole(key.to_owned()))
    }

    /// Danish name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            AdminRole::Administrator => "Administrator",
            AdminRole::Secretariat => "Valgsekretariat",
            AdminRole::Reader => "Læser",
        }
    }

    /// Create, change and delete elections, master data, participants, seats
    /// and messages.
    pub fn may_edit(self) -> bool {
        matches!(self, AdminRole::Administrator | AdminRole::Secretariat)
    }

    /// Users, settings and the audit log.
    pub fn may_administer(self) -> bool {
        self == AdminRole::Administrator
    }

    /// Full CPR numbers; everybody else sees them masked.
    pub fn sees_full_cpr(self) -> bool {
        self.may_edit()
    }

    /// Protected addresses (adressebeskyttelse) unmasked.
    pub fn sees_protected_addresses(self) -> bool {
        self == AdminRole::Administrator
    }
}

impl fmt::Display for AdminRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_unknown_is_refused() {
        for role in AdminRole::ALL {
            assert_eq!(AdminRole::parse(role.as_str()), Ok(role));
        }
        assert!(AdminRole::parse("superuser").is_err());
    }

    #[test]
    fn permissions_per_role() {
        use AdminRole::*;
        assert!(Administrator.may_edit() && Administrator.may_administer() && Administrator.sees_full_cpr());
        assert!(Secretariat.may_edit() && !Secretariat.may_administer());
        assert!(!Reader.may_edit() && !Reader.may_administer() && !Reader.sees_full_cpr());
        assert!(Administrator.sees_protected_addresses() && !Secretariat.sees_protected_addresses());
    }
}
