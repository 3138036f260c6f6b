//! The read-only link ("Mit overblik"): a signed, expiring token in a URL
//! that shows a participant their seats without MitID, so they can still see
//! where and when to meet while NemLog-in is down. It grants reading one
//! person's seats and nothing else, and carries no CPR number.
//!
//! The token is hex of participant id (16 bytes), expiry (Unix seconds, 8
//! bytes big-endian) and the first 16 bytes of an HMAC-SHA256 over the
//! tenant's key name and both, keyed per tenant from its CPR vault. The
//! tenant's name in the MAC makes one municipality's token worthless at
//! another even if they shared a vault key.

use chrono::{DateTime, Days, NaiveDate, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

use crate::tenants::Tenant;

/// Where the portal serves the page; the token follows.
pub const PATH: &str = "/mit-overblik/";

const KEY_LABEL: &[u8] = b"valghalla/read-only-link/v1";
const TAG_LEN: usize = 16;
const TOKEN_LEN: usize = 16 + 8 + TAG_LEN;

/// How long a link lasts after the person's last task, so they can still
/// look up what they did (and whom to call about it) for a week.
const AFTER_LAST_TASK: Days = Days::new(7);

/// Why a token shows nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    /// Not a token at all, or one we did not sign (forged, tampered with,
    /// another municipality's).
    #[error("linket er ugyldigt")]
    Invalid,
    /// Ours, but past its expiry.
    #[error("linket er udløbet")]
    Expired,
}

/// The portal path (`/mit-overblik/<token>`) that shows `participant` their
/// seats until `expires`. Messages put it after the tenant's portal base URL
/// (`[tenants.X] portal_url`) in invitations and confirmations; see
/// [`expiry_after`] for the usual expiry.
pub fn magic_link(tenant: &Tenant, participant: Uuid, expires: DateTime<Utc>) -> String {
    format!("{PATH}{}", token(tenant, participant, expires))
}

/// The end of the seventh day after the person's last task date (UTC, so
/// the link outlives the Danish day).
pub fn expiry_after(last_task_date: NaiveDate) -> DateTime<Utc> {
    let day = last_task_date.checked_add_days(AFTER_LAST_TASK).unwrap_or(NaiveDate::MAX);
    day.and_hms_opt(23, 59, 59).unwrap_or_default().and_utc()
}

/// The token alone (see the module comment for its layout).
pub fn token(tenant: &Tenant, participant: Uuid, expires: DateTime<Utc>) -> String {
    let mut bytes = Vec::with_capacity(TOKEN_LEN);
    bytes.extend_from_slice(participant.as_bytes());
    bytes.extend_from_slice(&expires.timestamp().to_be_bytes());
    let tag = mac(tenant, &bytes).finalize().into_bytes();
    bytes.extend_from_slice(&tag[..TAG_LEN]);
    hex::encode(bytes)
}

/// The participant a token was issued for, if we signed it for this tenant
/// and it has not expired at `now`.
pub fn verify(tenant: &Tenant, token: &str, now: DateTime<Utc>) -> Result<Uuid, LinkError> {
    let bytes = hex::decode(token).map_err(|_| LinkError::Invalid)?;
    if bytes.len() != TOKEN_LEN {
        return Err(LinkError::Invalid);
    }
    let (signed, tag) = bytes.split_at(16 + 8);
    // Compared in constant time by the hmac crate.
    mac(tenant, signed).verify_truncated_left(tag).map_err(|_| LinkError::Invalid)?;
    let (id, expiry) = signed.split_at(16);
    let expiry = i64::from_be_bytes(expiry.try_into().map_err(|_| LinkError::Invalid)?);
    if now.timestamp() > expiry {
        return Err(LinkError::Expired);
    }
    Uuid::from_slice(id).map_err(|_| LinkError::Invalid)
}

fn mac(tenant: &Tenant, signed: &[u8]) -> Hmac<Sha256> {
    let key = tenant.vault.derive_key(KEY_LABEL);
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).expect("HMAC accepts keys of any length");
    mac.update(tenant.key.as_bytes());
    mac.update(&[0]);
    mac.update(signed);
    mac
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};
    use sea_orm::DatabaseConnection;

    use super::*;
    use crate::crypto::CprVault;

    fn tenant(key: &str, vault: u8) -> Tenant {
        Tenant {
            key: key.into(),
            name: "Korsbæk Kommune".into(),
            cvr: domain::Cvr::parse("12345674").unwrap(),
            municipality: domain::MunicipalityCode::parse("0999").unwrap(),
            admin_host: "admin.test".into(),
            portal_host: "portal.test".into(),
            db: DatabaseConnection::default(),
            vault: CprVault::new(&[vault; 32]),
        }
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 5, 20, 12, 0, 0).unwrap()
    }

    #[test]
    fn a_token_opens_until_it_expires() {
        let korsbaek = tenant("korsbaek", 7);
        let person = Uuid::new_v4();
        let expires = now() + Duration::days(1);
        let link = magic_link(&korsbaek, person, expires);
        let token = link.strip_prefix(PATH).unwrap();
        assert_eq!(token.len(), TOKEN_LEN * 2);
        assert_eq!(verify(&korsbaek, token, now()), Ok(person));
        assert_eq!(verify(&korsbaek, token, expires), Ok(person));
        assert_eq!(verify(&korsbaek, token, expires + Duration::seconds(1)), Err(LinkError::Expired));
    }

    #[test]
    fn forged_tampered_and_foreign_tokens_are_invalid() {
        let korsbaek = tenant("korsbaek", 7);
        let token = token(&korsbaek, Uuid::new_v4(), now() + Duration::days(1));
        // Another municipality, even one with the same vault key.
        assert_eq!(verify(&tenant("lilleby", 7), &token, now()), Err(LinkError::Invalid));
        assert_eq!(verify(&tenant("korsbaek", 8), &token, now()), Err(LinkError::Invalid));
        // Every single changed digit, in id, expiry and tag.
        for i in 0..token.len() {
            let mut bytes = token.clone().into_bytes();
            bytes[i] = if bytes[i] == b'0' { b'1' } else { b'0' };
            let changed = String::from_utf8(bytes).unwrap();
            assert_eq!(verify(&korsbaek, &changed, now()), Err(LinkError::Invalid), "digit {i}");
        }
        for bad in ["", "abc", "zz", &token[..token.len() - 2], &format!("{token}00")] {
            assert_eq!(verify(&korsbaek, bad, now()), Err(LinkError::Invalid));
        }
    }

    #[test]
    fn links_last_a_week_after_the_last_task() {
        let last = NaiveDate::from_ymd_opt(2027, 6, 1).unwrap();
        assert_eq!(expiry_after(last), Utc.with_ymd_and_hms(2027, 6, 8, 23, 59, 59).unwrap());
    }
}
