//! Turning a tenant's sign-in configuration into the web layer's
//! [`TenantAuth`]: IdP metadata read from a file or fetched from a URL (with
//! a timeout), our keys and certificates, the role mapping and timeouts.
//!
//! Every problem names the tenant and the field, so `serve` can skip that
//! tenant (the others still serve) and `config check` can explain it. IdP
//! metadata without a signing certificate is refused here: nothing that IdP
//! sends could be verified.

use std::path::Path;
use std::time::Duration;

use chrono::Utc;
use integrations::saml::{Credential, IdpMetadata, RequestedLoa, ServiceProvider};
use web::auth::{SamlSide, TenantAuth};

use crate::config::{ConfigError, TenantConfig};

/// How long fetching IdP metadata from a URL may take at startup.
const METADATA_TIMEOUT: Duration = Duration::from_secs(10);

/// The tenant's sign-in settings, or every problem found.
pub async fn load(t: &TenantConfig) -> Result<TenantAuth, Vec<ConfigError>> {
    let mut errors = Vec::new();
    let s = &t.sign_in;
    let fail = |errors: &mut Vec<ConfigError>, field: &str, message: String| {
        errors.push(ConfigError { tenant: Some(t.key.clone()), field: Some(field.to_owned()), message })
    };
    let mut auth = TenantAuth {
        roles: s.roles.clone(),
        admin_idle_timeout: chrono::Duration::minutes(s.sessions.admin_idle_minutes),
        portal_idle_timeout: chrono::Duration::minutes(s.sessions.portal_idle_minutes),
        fallback_max_role_age: chrono::Duration::days(s.fallback_max_role_age_days),
        ..TenantAuth::default()
    };
    if let Some(fk) = &t.identity_provider {
        let idp =
            metadata(&fk.metadata, &s.base_dir).await.map_err(|m| fail(&mut errors, "identity_provider.metadata", m));
        let signing = credential(&fk.signing_key, &fk.signing_cert, &s.base_dir)
            .map_err(|m| fail(&mut errors, "identity_provider.signing_key", m));
        if let (Ok(idp), Ok(signing)) = (idp, signing) {
            let base = format!("{}/admin/saml", s.admin_url);
            let entity = fk.entity_id.clone().unwrap_or_else(|| format!("{base}/metadata"));
            let sp = ServiceProvider::new(entity, format!("{base}/acs"), format!("{base}/slo"), signing);
            auth.admin = Some(SamlSide { sp, idp });
        }
        if s.roles.is_empty() {
            fail(&mut errors, "roles", "no FK privilege is mapped to a role, so nobody could sign in".into());
        }
    }
    if let Some(nl) = &s.portal_identity_provider {
        let idp = metadata(&nl.metadata, &s.base_dir)
            .await
            .map_err(|m| fail(&mut errors, "portal_identity_provider.metadata", m));
        let signing = credential(&nl.signing_key, &nl.signing_cert, &s.base_dir)
            .map_err(|m| fail(&mut errors, "portal_identity_provider.signing_key", m));
        let encryption = credential(&nl.encryption_key, &nl.encryption_cert, &s.base_dir)
            .map_err(|m| fail(&mut errors, "portal_identity_provider.encryption_key", m));
        if let (Ok(idp), Ok(signing), Ok(encryption)) = (idp, signing, encryption) {
            let provider = |entity: String, base: String| {
                let mut sp =
                    ServiceProvider::new(entity, format!("{base}/acs"), format!("{base}/slo"), signing.clone());
                sp.encryption = Some(encryption.clone());
                // OIOSAML 3: LoA Substantial at least; Low is refused on arrival too.
                sp.requested_loa = Some(RequestedLoa::Substantial);
                sp.name_id_format = Some(integrations::saml::uri::NAMEID_PERSISTENT.to_owned());
                sp
            };
            let portal_base = format!("{}/saml", s.portal_url);
            let portal_entity = nl.entity_id.clone().unwrap_or_else(|| format!("{portal_base}/metadata"));
            let admin_base = format!("{}/admin/saml/mitid", s.admin_url);
            let admin_entity = nl.admin_entity_id.clone().unwrap_or_else(|| format!("{admin_base}/metadata"));
            auth.portal = Some(SamlSide { sp: provider(portal_entity, portal_base), idp: idp.clone() });
            auth.admin_mitid = Some(SamlSide { sp: provider(admin_entity, admin_base), idp });
        }
    }
    if errors.is_empty() { Ok(auth) } else { Err(errors) }
}

/// Reads and checks IdP metadata from a file or an http(s) URL.
async fn metadata(source: &str, base_dir: &Path) -> Result<IdpMetadata, String> {
    let xml = if source.starts_with("https://") || source.starts_with("http://") {
        fetch(source).await?
    } else {
        let path = base_dir.join(source);
        std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?
    };
    let metadata = IdpMetadata::from_xml(&xml).map_err(|e| e.to_string())?;
    metadata.check_valid_at(Utc::now()).map_err(|e| e.to_string())?;
    Ok(metadata)
}

/// Fetches IdP metadata over HTTP with a timeout (also the demo's, from its simulators).
pub(crate) async fn fetch(url: &str) -> Result<String, String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .timeout(METADATA_TIMEOUT)
        .connect_timeout(METADATA_TIMEOUT)
        .build()
        .map_err(|e| format!("cannot make an HTTP client: {e}"))?;
    let response = client.get(url).send().await.map_err(|e| format!("cannot fetch {url}: {e}"))?;
    if !response.status().is_success() {
        return Err(format!("fetching {url} answered {}", response.status()));
    }
    response.text().await.map_err(|e| format!("reading {url}: {e}"))
}

fn credential(key: &str, cert: &str, base_dir: &Path) -> Result<Credential, String> {
    let read = |file: &str| {
        let path = base_dir.join(file);
        std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    Credential::from_pem(&read(key)?, &read(cert)?).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_example_tenants_load() {
        let config = crate::config::tests::example();
        let korsbaek = load(&config.tenants[0]).await.expect("korsbaek loads");
        let admin = korsbaek.admin.expect("FK");
        assert_eq!(admin.sp.acs_url, "https://korsbaek.adm.valghalla.example/admin/saml/acs");
        assert_eq!(admin.idp.entity_id, "https://adgangsstyring.fk-idp.example");
        let mitid = korsbaek.admin_mitid.expect("NemLog-in for admins");
        assert_eq!(mitid.sp.entity_id, "https://korsbaek.adm.valghalla.example/admin/saml/mitid/metadata");
        assert!(korsbaek.portal.expect("portal").sp.encryption.is_some());
        assert_eq!(korsbaek.roles.len(), 3);
        let lilleby = load(&config.tenants[1]).await.expect("lilleby loads");
        assert!(lilleby.admin.is_some() && lilleby.portal.is_none());
    }

    #[tokio::test]
    async fn metadata_without_a_signing_certificate_is_refused_by_tenant_and_field() {
        let dir = tempfile::tempdir().unwrap();
        let example = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../config/idp/fk-adgangsstyring-metadata.xml"
        ))
        .unwrap();
        let start = example.find("<md:KeyDescriptor use=\"signing\">").unwrap();
        let end = example[start..].find("</md:KeyDescriptor>").unwrap() + start + "</md:KeyDescriptor>".len();
        std::fs::write(dir.path().join("idp.xml"), format!("{}{}", &example[..start], &example[end..])).unwrap();
        let mut config = crate::config::tests::example();
        let mut t = config.tenants.remove(0);
        t.sign_in.base_dir = dir.path().to_path_buf();
        t.sign_in.portal_identity_provider = None;
        let fk = t.identity_provider.as_mut().unwrap();
        fk.metadata = "idp.xml".into();
        let demo_keys = concat!(env!("CARGO_MANIFEST_DIR"), "/demo");
        fk.signing_key = format!("{demo_keys}/sp-key.pem");
        fk.signing_cert = format!("{demo_keys}/sp-cert.pem");
        let errors = load(&t).await.expect_err("refused");
        assert_eq!(errors.len(), 1, "{errors:?}");
        let text = errors[0].to_string();
        assert!(text.starts_with("tenant \"korsbaek\", field \"identity_provider.metadata\""), "{text}");
        assert!(text.contains("no signing certificate"), "{text}");
    }

    #[tokio::test]
    async fn unreadable_files_and_foreign_keys_are_named() {
        let mut config = crate::config::tests::example();
        let mut t = config.tenants.remove(0);
        t.identity_provider.as_mut().unwrap().metadata = "nowhere.xml".into();
        let nl = t.sign_in.portal_identity_provider.as_mut().unwrap();
        // A key that does not belong to the certificate.
        nl.signing_cert = "../crates/simulators/fixtures/keys/idp-cert.pem".into();
        let errors = load(&t).await.expect_err("refused");
        let fields: Vec<_> = errors.iter().filter_map(|e| e.field.clone()).collect();
        assert_eq!(fields, ["identity_provider.metadata", "portal_identity_provider.signing_key"], "{errors:?}");
    }
}
