//! The demo's identity providers: the FK Adgangsstyring and NemLog-in
//! simulators on one local port, knowing the demo's three service providers,
//! and the tenant sign-in settings pointing at them. People sign in to the
//! demo only through these (pick-a-test-user pages).

use std::collections::BTreeMap;

use anyhow::Context;
use domain::AdminRole;
use integrations::saml::{Credential, IdpMetadata, RequestedLoa, ServiceProvider};
use simulators::idp::{Citizen, Flavour, IdpConfig, SimIdp, SimIdpHandle, SpConfig, Users};
use web::auth::{SamlSide, TenantAuth};

/// Not secret: committed test keys (see `demo/README.md`).
pub const SP_KEY: &str = include_str!("../../demo/sp-key.pem");
pub const SP_CERT: &str = include_str!("../../demo/sp-cert.pem");

/// The simulator's role URIs, mapped as a municipality would in its config.
pub const ROLE_URIS: [(&str, AdminRole); 3] = [
    ("http://valghalla.dk/roles/usersystemrole/administrator/1", AdminRole::Administrator),
    ("http://valghalla.dk/roles/usersystemrole/sekretariat/1", AdminRole::Secretariat),
    ("http://valghalla.dk/roles/usersystemrole/laeser/1", AdminRole::Reader),
];

/// The MitID of the demo's linked admin (FK user `admin`, Anna Administrator),
/// added to the simulator's built-in citizens. Fictional.
pub const ANNA_MITID: &str = "anna";
pub const ANNA_CPR: &str = "0103721234";

/// A citizen CPR knows who is not a participant yet: the one who signs up
/// through a team link in the demo. Fictional.
pub const NEWCOMER_MITID: &str = "nina";
pub const NEWCOMER_CPR: &str = "2307951118";

/// The simulator's users: its built-in set plus Anna's MitID and the newcomer's.
pub fn users() -> Users {
    let mut users = Users::builtin();
    users.nemlogin.push(Citizen {
        id: NEWCOMER_MITID.into(),
        first_name: "Nina".into(),
        last_name: "Nyborg".into(),
        full_name: None,
        cpr: NEWCOMER_CPR.into(),
        cpr_uuid: "8b0b7d1e-2f43-4a57-9c1a-0b00000000a2".into(),
        date_of_birth: chrono::NaiveDate::from_ymd_opt(1995, 7, 23).expect("valid date"),
        loa: Default::default(),
        email: None,
    });
    users.nemlogin.push(Citizen {
        id: ANNA_MITID.into(),
        first_name: "Anna".into(),
        last_name: "Administrator".into(),
        full_name: None,
        cpr: ANNA_CPR.into(),
        cpr_uuid: "8b0b7d1e-2f43-4a57-9c1a-0b00000000a1".into(),
        date_of_birth: chrono::NaiveDate::from_ymd_opt(1972, 3, 1).expect("valid date"),
        loa: Default::default(),
        email: Some("anna@korsbaek.example".into()),
    });
    users
}

/// Our SAML endpoints under `base` (e.g. `http://localhost:8080`).
struct Endpoints {
    entity_id: String,
    acs: String,
    slo: String,
}

fn endpoints(base: &str, path: &str) -> Endpoints {
    Endpoints {
        entity_id: format!("{base}{path}/metadata"),
        acs: format!("{base}{path}/acs"),
        slo: format!("{base}{path}/slo"),
    }
}

/// Starts both simulators on `ip` (a free port) for our endpoints at `base`,
/// reads their metadata like a tenant would, and returns the settings.
pub async fn start(base: &str, ip: std::net::IpAddr) -> anyhow::Result<(SimIdpHandle, TenantAuth)> {
    let admin = endpoints(base, "/admin/saml");
    let portal = endpoints(base, "/saml");
    let mitid = endpoints(base, "/admin/saml/mitid");
    let registered = |e: &Endpoints| {
        SpConfig::new(&e.entity_id, &e.acs).slo_url(&e.slo).signing_cert(SP_CERT).encryption_cert(SP_CERT)
    };
    let mut fk = IdpConfig::new(Flavour::Fk, registered(&admin));
    fk.users = users();
    let mut nemlogin = IdpConfig::new(Flavour::NemLogin, registered(&portal));
    nemlogin.sps.push(registered(&mitid));
    nemlogin.users = users();
    let (_, handle) = SimIdp::start_on(&std::net::SocketAddr::new(ip, 0).to_string(), vec![fk, nemlogin])
        .await
        .context("starting the IdP simulators")?;
    let fk_metadata = fetch_metadata(&handle.url(Flavour::Fk, "metadata")).await?;
    let nemlogin_metadata = fetch_metadata(&handle.url(Flavour::NemLogin, "metadata")).await?;
    let credential = Credential::from_pem(SP_KEY, SP_CERT).context("the demo SP key")?;
    let provider = |e: &Endpoints, loa: Option<RequestedLoa>| {
        let mut sp = ServiceProvider::new(&e.entity_id, &e.acs, &e.slo, credential.clone());
        sp.requested_loa = loa;
        sp
    };
    let roles: BTreeMap<String, AdminRole> = ROLE_URIS.iter().map(|(uri, role)| ((*uri).to_owned(), *role)).collect();
    let auth = TenantAuth {
        admin: Some(SamlSide { sp: provider(&admin, None), idp: fk_metadata }),
        portal: Some(SamlSide {
            sp: provider(&portal, Some(RequestedLoa::Substantial)),
            idp: nemlogin_metadata.clone(),
        }),
        admin_mitid: Some(SamlSide { sp: provider(&mitid, Some(RequestedLoa::Substantial)), idp: nemlogin_metadata }),
        roles,
        ..TenantAuth::default()
    };
    Ok((handle, auth))
}

async fn fetch_metadata(url: &str) -> anyhow::Result<IdpMetadata> {
    let xml = crate::saml::fetch(url).await.map_err(anyhow::Error::msg)?;
    IdpMetadata::from_xml(&xml).with_context(|| format!("IdP metadata from {url}"))
}
