//! CPR numbers at rest. A participant's CPR number is stored encrypted
//! (AES-256-GCM, so tampering is detected) and found through a keyed hash: a
//! plain hash of a CPR number is reversed by hashing every possible number (a
//! few hundred million), a keyed one cannot be without the key.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use domain::CprNumber;
use hmac::{Hmac, Mac};
use sha2::Sha256;

const NONCE_LEN: usize = 12;

/// Separates the hash key from the encryption key derived from the same
/// secret. Never change it: every stored hash depends on it.
const HASH_KEY_LABEL: &[u8] = b"valghalla/cpr-hash/v1";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("CPR-nøglen skal være 64 hexadecimale tegn (32 bytes)")]
    BadKey,
    #[error("et krypteret CPR-nummer kunne ikke dekrypteres (forkert nøgle eller ændrede data)")]
    Decrypt,
    #[error("et dekrypteret CPR-nummer er ugyldigt")]
    NotCpr,
}

/// Encrypts, decrypts and hashes CPR numbers with one tenant's key.
#[derive(Clone)]
pub struct CprVault {
    cipher: Aes256Gcm,
    hash_key: [u8; 32],
}

impl std::fmt::Debug for CprVault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CprVault(..)")
    }
}

impl CprVault {
    pub fn new(key: &[u8; 32]) -> Self {
        let cipher = Aes256Gcm::new(key.into());
        let hash_key = hmac_sha256(key, HASH_KEY_LABEL);
        CprVault { cipher, hash_key }
    }

    /// The key as written in the configuration: 64 hex digits.
    pub fn from_hex(key: &str) -> Result<Self, CryptoError> {
        let bytes = hex::decode(key.trim()).map_err(|_| CryptoError::BadKey)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| CryptoError::BadKey)?;
        Ok(CprVault::new(&key))
    }

    /// A fresh random key in the configuration's hex form, for new tenants.
    pub fn generate_key_hex() -> String {
        hex::encode(rand::random::<[u8; 32]>())
    }

    /// Random nonce followed by ciphertext and tag; encrypting one number
    /// twice gives different bytes.
    pub fn encrypt(&self, cpr: &CprNumber) -> Vec<u8> {
        let nonce_bytes: [u8; NONCE_LEN] = rand::random();
        let nonce = Nonce::from_slice(&nonce_bytes);
        let sealed =
            self.cipher.encrypt(nonce, cpr.expose().as_bytes()).expect("AES-GCM encryption of ten bytes cannot fail");
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce_bytes);
        out.extend_from_slice(&sealed);
        out
    }

    pub fn decrypt(&self, stored: &[u8]) -> Result<CprNumber, CryptoError> {
        if stored.len() <= NONCE_LEN {
            return Err(CryptoError::Decrypt);
        }
        let (nonce, sealed) = stored.split_at(NONCE_LEN);
        let plain = self.cipher.decrypt(Nonce::from_slice(nonce), sealed).map_err(|_| CryptoError::Decrypt)?;
        let text = std::str::from_utf8(&plain).map_err(|_| CryptoError::NotCpr)?;
        CprNumber::parse(text).map_err(|_| CryptoError::NotCpr)
    }

    /// A key for another purpose of the tenant, derived from this one, so a
    /// tenant has one secret to keep. Labels must never be ten digits: the
    /// CPR hashes use the same key on CPR numbers.
    pub(crate) fn derive_key(&self, label: &[u8]) -> [u8; 32] {
        hmac_sha256(&self.hash_key, label)
    }

    /// Lower-case hex HMAC-SHA256: the lookup key for a CPR number.
    pub fn hash(&self, cpr: &CprNumber) -> String {
        hex::encode(hmac_sha256(&self.hash_key, cpr.expose().as_bytes()))
    }
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cpr(text: &str) -> CprNumber {
        CprNumber::parse(text).unwrap()
    }

    fn vault(byte: u8) -> CprVault {
        CprVault::new(&[byte; 32])
    }

    #[test]
    fn round_trip() {
        let v = vault(1);
        let number = cpr("010190-1234");
        let sealed = v.encrypt(&number);
        assert_eq!(v.decrypt(&sealed).unwrap(), number);
        assert!(!sealed.windows(10).any(|w| w == b"0101901234"), "plaintext visible");
    }

    #[test]
    fn nonces_differ_between_encryptions() {
        let v = vault(1);
        let number = cpr("0101901234");
        assert_ne!(v.encrypt(&number), v.encrypt(&number));
    }

    #[test]
    fn wrong_key_or_tampering_fails() {
        let sealed = vault(1).encrypt(&cpr("0101901234"));
        assert_eq!(vault(2).decrypt(&sealed), Err(CryptoError::Decrypt));
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert_eq!(vault(1).decrypt(&tampered), Err(CryptoError::Decrypt));
        assert_eq!(vault(1).decrypt(&sealed[..NONCE_LEN]), Err(CryptoError::Decrypt));
        assert_eq!(vault(1).decrypt(&[]), Err(CryptoError::Decrypt));
    }

    #[test]
    fn hash_is_stable_and_key_dependent() {
        let number = cpr("0101901234");
        let h = vault(1).hash(&number);
        assert_eq!(h, vault(1).hash(&cpr("010190-1234")));
        assert_eq!(h.len(), 64);
        assert!(h.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_ne!(h, vault(2).hash(&number));
        assert_ne!(h, vault(1).hash(&cpr("0101901235")));
        // Pinned, so that a change to the derivation (which would orphan
        // every stored hash) cannot pass unnoticed.
        assert_eq!(h, PINNED_HASH);
    }

    // Computed independently: HMAC(HMAC(key, label), "0101901234").
    const PINNED_HASH: &str = "65dd9fe4463d02390063ba800bb7a9bad1e8df1af45a602e12094144f3b4daf2";

    #[test]
    fn keys_come_from_64_hex_digits() {
        let hex_key = CprVault::generate_key_hex();
        assert_eq!(hex_key.len(), 64);
        let from_hex = CprVault::from_hex(&hex_key).unwrap();
        let number = cpr("0101901234");
        assert_eq!(from_hex.decrypt(&from_hex.encrypt(&number)).unwrap(), number);
        assert_eq!(CprVault::from_hex(&"01".repeat(32)).unwrap().hash(&number), vault(1).hash(&number));
        for bad in ["", "abc", &"zz".repeat(32), &"01".repeat(31), &"01".repeat(33)] {
            assert_eq!(CprVault::from_hex(bad).unwrap_err(), CryptoError::BadKey);
        }
    }

    #[test]
    fn debug_shows_no_key() {
        assert_eq!(format!("{:?}", vault(7)), "CprVault(..)");
    }
}
