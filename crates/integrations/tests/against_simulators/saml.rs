//! Our SAML SP core (`integrations::saml`) against the IdP simulators
//! (`simulators::idp`): the simulators' metadata, full SP-initiated logins for
//! FK Adgangsstyring and NemLog-in, privileges and the NemLog-in identity,
//! every refusal the simulators can provoke, and single logout.

use std::collections::HashMap;
use std::sync::Mutex;

use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use integrations::saml::attributes::{self, Loa};
use integrations::saml::{
    AuthnRequest, Certificate, Credential, IdpMetadata, IncomingLogoutRequest, Login, LogoutRequest,
    LogoutResponseMessage, LogoutStatus, PendingRequest, PendingRequests, ReplayCache, RequestedLoa, ResponseError,
    ServiceProvider, StoreError, consume_response,
};
use simulators::idp::{Flavour, IdpConfig, SimIdp, SimIdpHandle, SpConfig};

use super::{add_fault, http};

const TENANT_CVR: &str = "12345674";
const ADMIN_ROLE: &str = "http://valghalla.dk/roles/usersystemrole/administrator/1";
const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/saml");

fn read(name: &str) -> String {
    std::fs::read_to_string(format!("{DIR}/{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Pending AuthnRequests in memory; `keep` models a store that never forgets,
/// so that the replay cache is what must stop a replayed response.
#[derive(Default)]
struct Pending {
    requests: Mutex<HashMap<String, PendingRequest>>,
    keep: bool,
}

impl PendingRequests for Pending {
    async fn take(&self, id: &str) -> Result<Option<PendingRequest>, StoreError> {
        let mut requests = self.requests.lock().unwrap();
        Ok(if self.keep { requests.get(id).cloned() } else { requests.remove(id) })
    }
}

#[derive(Default)]
struct Replay(Mutex<HashMap<String, DateTime<Utc>>>);

impl ReplayCache for Replay {
    async fn remember(&self, id: &str, until: DateTime<Utc>) -> Result<bool, StoreError> {
        Ok(self.0.lock().unwrap().insert(id.to_owned(), until).is_none())
    }
}

/// One SP of the test tenant registered at one simulated IdP, with the
/// IdP's metadata as our SP read it from the simulator.
struct Setup {
    handle: SimIdpHandle,
    flavour: Flavour,
    sp: ServiceProvider,
    idp: IdpMetadata,
    pending: Pending,
    replay: Replay,
}

async fn setup(flavour: Flavour) -> Setup {
    let (entity, acs, slo) = match flavour {
        Flavour::Fk => (
            "https://admin.korsbaek.example/saml/metadata",
            "https://admin.korsbaek.example/admin/saml/acs",
            "https://admin.korsbaek.example/admin/saml/slo",
        ),
        Flavour::NemLogin => (
            "https://korsbaek.example/saml/metadata",
            "https://korsbaek.example/saml/acs",
            "https://korsbaek.example/saml/slo",
        ),
    };
    let sp_cert = read("sp-cert.pem");
    let registered = SpConfig::new(entity, acs).slo_url(slo).signing_cert(sp_cert.clone()).encryption_cert(sp_cert);
    let (base, handle) = SimIdp::start(IdpConfig::new(flavour, registered)).await.expect("the IdP simulator starts");
    let xml = http().get(handle.url(flavour, "metadata")).send().await.unwrap().text().await.unwrap();
    let idp = IdpMetadata::from_xml(&xml).expect("our SP reads the simulator's metadata");
    // The metadata signature verifies with the simulator's published key.
    let trusted = Certificate::from_pem(simulators::idp::crypto::IDP_CERT_PEM).unwrap();
    let signed = IdpMetadata::from_signed_xml(&xml, &[trusted]).expect("signed metadata");
    assert_eq!(signed.entity_id, idp.entity_id);
    assert_eq!(idp.entity_id, format!("{base}/{}", flavour.path()));
    assert!(idp.want_authn_requests_signed);
    assert_eq!(idp.sso_redirect_url(), handle.url(flavour, "sso"));
    assert_eq!(idp.slo_redirect().unwrap().location, handle.url(flavour, "slo"));
    assert!(!idp.signing_certificates.is_empty());

    let signing = Credential::from_pem(&read("sp-key.pem"), &read("sp-cert.pem")).unwrap();
    let mut sp = ServiceProvider::new(entity, acs, slo, signing);
    if flavour == Flavour::NemLogin {
        sp.require_signed_response = true;
        sp.requested_loa = Some(RequestedLoa::Substantial);
    }
    Setup { handle, flavour, sp, idp, pending: Pending::default(), replay: Replay::default() }
}

/// The auto-post form's hidden field, unescaped.
fn hidden(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
}

impl Setup {
    /// Our AuthnRequest to the simulator as a browser would carry it, the test
    /// user picked with `&user=`, and the posted SAMLResponse consumed.
    async fn login(&self, user: &str) -> Result<Login, ResponseError> {
        let response = self.saml_response(user).await;
        consume_response(&response, &self.idp, &self.sp, Utc::now(), &self.pending, &self.replay).await
    }

    async fn saml_response(&self, user: &str) -> String {
        let request = AuthnRequest::new(&self.sp, &self.idp, Utc::now());
        let url = request.redirect_url(&self.sp.signing, Some("/efter-login")).unwrap();
        assert!(url.starts_with(&self.handle.url(self.flavour, "sso")), "{url}");
        self.pending.requests.lock().unwrap().insert(request.id.clone(), request.pending(Duration::minutes(10)));
        let page = http().get(format!("{url}&user={user}")).send().await.unwrap();
        assert_eq!(page.status().as_u16(), 200, "{user}: the IdP accepted our request");
        let page = page.text().await.unwrap();
        assert!(page.contains(&format!("action=\"{}\"", self.sp.acs_url)), "posts to our ACS");
        assert_eq!(hidden(&page, "RelayState").as_deref(), Some("/efter-login"));
        hidden(&page, "SAMLResponse").expect("a SAMLResponse in the form")
    }
}

#[tokio::test]
async fn fk_login_gives_privileges_scoped_to_the_tenant() {
    let fk = setup(Flavour::Fk).await;
    let login = fk.login("admin").await.expect("admin signs in");
    assert_eq!(login.issuer, fk.idp.entity_id);
    assert!(login.name_id.contains("Anna Administrator"), "{}", login.name_id);
    assert!(login.session_index.is_some());
    attributes::require_fk_assurance(&login).expect("LoA Substantial");
    let all = attributes::privileges(&login).expect("a readable privilege list");
    let ours = attributes::privileges_for_cvr(&all, TENANT_CVR);
    assert!(ours.iter().any(|p| p.privilege == ADMIN_ROLE), "{ours:?}");
    assert!(ours.iter().all(|p| p.cvr() == Some(TENANT_CVR)));

    // OIOSAML 2 attribute names, BPP 1.0.1, a KLE constraint.
    let secretariat = fk.login("sekretariat").await.expect("sekretariat signs in");
    let ours = attributes::privileges_for_cvr(&attributes::privileges(&secretariat).unwrap(), TENANT_CVR);
    assert!(ours.iter().any(|p| p.privilege.contains("/sekretariat/")), "{ours:?}");
    assert!(ours.iter().any(|p| !p.constraints.is_empty()), "{ours:?}");

    // Administrator elsewhere only: nothing here.
    let other = fk.login("anden-kommune").await.expect("the login itself is valid");
    let all = attributes::privileges(&other).unwrap();
    assert!(!all.is_empty(), "privileges in another municipality");
    assert!(attributes::privileges_for_cvr(&all, TENANT_CVR).is_empty());
}

#[tokio::test]
async fn nemlogin_encrypted_assertion_gives_the_citizen() {
    let portal = setup(Flavour::NemLogin).await;
    let response = portal.saml_response("karen").await;
    let xml = base64::engine::general_purpose::STANDARD.decode(&response).unwrap();
    let xml = String::from_utf8(xml).unwrap();
    assert!(xml.contains("EncryptedAssertion") && !xml.contains("1205851236"), "encrypted");
    let login = consume_response(&response, &portal.idp, &portal.sp, Utc::now(), &portal.pending, &portal.replay)
        .await
        .expect("karen signs in");
    let citizen = attributes::nemlogin_identity(&login, Loa::Substantial).expect("identity");
    assert_eq!(citizen.cpr.expose(), "1205851236");
    assert_eq!(citizen.loa, Loa::Substantial);
    assert_eq!(citizen.full_name.as_deref(), Some("Karen Testesen"));
    assert!(citizen.cpr_uuid.is_some());

    let aase = portal.login("aase").await.expect("aase signs in");
    let aase = attributes::nemlogin_identity(&aase, Loa::Substantial).unwrap();
    assert_eq!(aase.loa, Loa::High);
    assert!(aase.full_name.unwrap().contains("Ørsted"), "æøå survive");

    // LoA Low: a valid login, refused for the portal.
    let low = portal.login("lav").await.expect("a valid assertion");
    let refused = attributes::nemlogin_identity(&low, Loa::Substantial).unwrap_err();
    assert!(matches!(refused, integrations::saml::AttributeError::LoaTooLow { .. }), "{refused:?}");
}

/// Whether an error is the refusal a fault must cause.
type Refusal = fn(&ResponseError) -> bool;

#[tokio::test]
async fn every_simulated_attack_and_failure_is_refused_with_its_error() {
    for flavour in [Flavour::Fk, Flavour::NemLogin] {
        let s = setup(flavour).await;
        let (base, p) = (s.handle.base_url.clone(), flavour.path());
        let user = if flavour == Flavour::Fk { "admin" } else { "karen" };
        let cases: [(&str, Refusal); 7] = [
            ("expired", |e| matches!(e, ResponseError::Expired { .. })),
            ("not_yet_valid", |e| matches!(e, ResponseError::NotYetValid { .. })),
            ("wrong_audience", |e| matches!(e, ResponseError::Audience)),
            ("bad_signature", |e| matches!(e, ResponseError::Signature { .. })),
            ("unsigned", |e| matches!(e, ResponseError::AssertionNotSigned | ResponseError::ResponseNotSigned)),
            ("unsigned_assertion", |e| matches!(e, ResponseError::AssertionNotSigned)),
            ("authn_failed", |e| {
                matches!(e, ResponseError::Status { code, sub_code }
                    if code.ends_with(":Responder") && sub_code.as_deref().is_some_and(|s| s.ends_with(":AuthnFailed")))
            }),
        ];
        for (kind, expected) in cases {
            add_fault(&base, &format!(r#"{{"kind":"{kind}","path":"/{p}/","times":1}}"#)).await;
            let error = s.login(user).await.expect_err(kind);
            assert!(expected(&error), "{p} {kind}: {error:?}");
            assert!(!error.to_string().contains("1205851236"), "{p} {kind}: {error}");
            s.login(user).await.unwrap_or_else(|e| panic!("{p} after {kind}: {e}"));
        }
    }
}

#[tokio::test]
async fn a_replayed_response_is_refused() {
    let fk = setup(Flavour::Fk).await;
    let base = fk.handle.base_url.clone();
    fk.login("admin").await.expect("the first use");
    add_fault(&base, r#"{"kind":"replay","path":"/fk/","times":1}"#).await;
    // The request it answered was taken by the first use.
    let error = fk.login("admin").await.unwrap_err();
    assert_eq!(error, ResponseError::UnknownInResponseTo);

    // Even with a store that never forgets a request, the replay cache stops it.
    let mut never_forgets = setup(Flavour::Fk).await;
    never_forgets.pending.keep = true;
    let base = never_forgets.handle.base_url.clone();
    never_forgets.login("admin").await.expect("the first use");
    add_fault(&base, r#"{"kind":"replay","path":"/fk/","times":1}"#).await;
    assert_eq!(never_forgets.login("admin").await.unwrap_err(), ResponseError::Replayed);
}

#[tokio::test]
async fn single_logout_sp_to_idp_and_back() {
    for (flavour, user) in [(Flavour::Fk, "admin"), (Flavour::NemLogin, "karen")] {
        let s = setup(flavour).await;
        let login = s.login(user).await.expect("signed in");
        let request = LogoutRequest::new(
            &s.sp,
            &s.idp,
            &login.name_id,
            login.name_id_format.as_deref(),
            login.session_index.as_deref(),
            Utc::now(),
        )
        .unwrap();
        let url = request.redirect_url(&s.sp.signing, Some("farvel")).unwrap();
        let answer = http().get(url).send().await.unwrap();
        assert_eq!(answer.status().as_u16(), 302, "{user}: {:?}", answer.text().await);
        let location = answer.headers()["location"].to_str().unwrap().to_owned();
        let (endpoint, query) = location.split_once('?').expect("a redirect-bound message");
        assert_eq!(endpoint, s.sp.slo_url);
        let response = LogoutResponseMessage::from_redirect(query, &s.idp, &s.sp, &request.id)
            .expect("our SP accepts the simulator's LogoutResponse");
        assert!(response.is_success(), "{}", response.status_code);
        assert_eq!(response.relay_state.as_deref(), Some("farvel"));

        // A response to another request of ours is not accepted.
        let wrong = LogoutResponseMessage::from_redirect(query, &s.idp, &s.sp, "_other").unwrap_err();
        assert_eq!(wrong, integrations::saml::LogoutError::InResponseTo);
    }
}

#[tokio::test]
async fn missing_attributes_and_low_assurance_are_refused_by_the_attribute_rules() {
    let fk = setup(Flavour::Fk).await;
    let base = fk.handle.base_url.clone();
    add_fault(&base, r#"{"kind":"missing_attributes","path":"/fk/","times":1}"#).await;
    let bare = fk.login("admin").await.expect("a valid assertion without privileges");
    assert!(matches!(attributes::privileges(&bare), Err(integrations::saml::AttributeError::Missing(_))));
    add_fault(&base, r#"{"kind":"loa_low","path":"/fk/","times":1}"#).await;
    let low = fk.login("admin").await.expect("a valid assertion at LoA Low");
    assert!(attributes::require_fk_assurance(&low).is_err());
    let none = fk.login("uden-rettigheder").await.expect("signs in");
    assert!(attributes::privileges(&none).is_err(), "no privileges attribute");

    let portal = setup(Flavour::NemLogin).await;
    let base = portal.handle.base_url.clone();
    add_fault(&base, r#"{"kind":"missing_attributes","path":"/nemlogin/","times":1}"#).await;
    let login = portal.login("karen").await.expect("a valid assertion without cprNumber");
    assert_eq!(
        attributes::nemlogin_identity(&login, Loa::Substantial).unwrap_err(),
        integrations::saml::AttributeError::Missing("cprNumber")
    );
}

#[tokio::test]
async fn idp_initiated_logout_is_verified_and_answered() {
    for (flavour, user) in [(Flavour::Fk, "admin"), (Flavour::NemLogin, "karen")] {
        let s = setup(flavour).await;
        let login = s.login(user).await.expect("signed in");
        let url = format!("{}?user={user}", s.handle.url(flavour, "slo/initiate"));
        let answer = http().get(url).send().await.unwrap();
        assert_eq!(answer.status().as_u16(), 302);
        let location = answer.headers()["location"].to_str().unwrap().to_owned();
        let (endpoint, query) = location.split_once('?').unwrap();
        assert_eq!(endpoint, s.sp.slo_url);
        let request = IncomingLogoutRequest::from_redirect(query, &s.idp, &s.sp, Utc::now())
            .expect("our SP accepts the simulator's LogoutRequest");
        assert_eq!(request.name_id, login.name_id);
        assert_eq!(request.session_indexes, login.session_index.into_iter().collect::<Vec<_>>());

        let response = request.response(&s.sp, &s.idp, LogoutStatus::Success, Utc::now()).unwrap();
        let page = http().get(response.redirect_url(&s.sp.signing).unwrap()).send().await.unwrap();
        assert_eq!(page.status().as_u16(), 200, "the simulator read our LogoutResponse");
        let recorded = s.handle.control.recorder.all();
        let last = recorded.last().expect("recorded");
        let detail = last.detail.as_ref().expect("annotated");
        assert_eq!(detail["type"], "LogoutResponse", "{detail}");
        assert_eq!(detail["signature"], "valid", "the simulator verified our signature");
    }
}

#[tokio::test]
async fn logout_faults_are_seen_by_our_sp() {
    let s = setup(Flavour::Fk).await;
    let base = s.handle.base_url.clone();
    let login = s.login("admin").await.expect("signed in");
    add_fault(&base, r#"{"kind":"bad_signature","path":"/fk/slo","times":1}"#).await;
    let forged = sp_logout(&s, &login, "a").await.unwrap_err();
    assert!(matches!(forged, integrations::saml::LogoutError::Binding(_)), "{forged:?}");

    add_fault(&base, r#"{"kind":"status","path":"/fk/slo","times":1}"#).await;
    let refused = sp_logout(&s, &login, "b").await.expect("a validly signed refusal");
    assert!(!refused.is_success(), "{}", refused.status_code);
}

/// SP-initiated logout of `login`: our signed LogoutRequest to the simulator,
/// its redirect back read by our SP.
async fn sp_logout(
    s: &Setup,
    login: &Login,
    relay: &str,
) -> Result<LogoutResponseMessage, integrations::saml::LogoutError> {
    let request = LogoutRequest::new(
        &s.sp,
        &s.idp,
        &login.name_id,
        login.name_id_format.as_deref(),
        login.session_index.as_deref(),
        Utc::now(),
    )
    .unwrap();
    let url = request.redirect_url(&s.sp.signing, Some(relay)).unwrap();
    let answer = http().get(url).send().await.unwrap();
    assert_eq!(answer.status().as_u16(), 302, "{:?}", answer.text().await);
    let location = answer.headers()["location"].to_str().unwrap().to_owned();
    let (endpoint, query) = location.split_once('?').expect("a redirect-bound message");
    assert_eq!(endpoint, s.sp.slo_url);
    LogoutResponseMessage::from_redirect(query, &s.idp, &s.sp, &request.id)
}
