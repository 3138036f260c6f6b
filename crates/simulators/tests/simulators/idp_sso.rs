//! The IdP simulators' metadata and sign-in journey, checked from the outside.

use base64::Engine as _;
use simulators::idp::Flavour;

use super::support::*;

const MD: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
const DS: &str = "http://www.w3.org/2000/09/xmldsig#";

#[tokio::test]
async fn metadata_names_endpoints_and_the_signing_certificate() {
    for flavour in [Flavour::Fk, Flavour::NemLogin] {
        let (base, _idp) = start(flavour).await;
        let p = flavour.path();
        let doc = get_ok(&format!("{base}/{p}/metadata")).await;
        let root = xml(&doc);
        assert!(root.is(MD, "EntityDescriptor"));
        assert_eq!(root.attr("entityID"), Some(format!("{base}/{p}").as_str()));
        let idp = root.child(MD, "IDPSSODescriptor").expect("IDPSSODescriptor");
        assert_eq!(idp.attr("WantAuthnRequestsSigned"), Some("true"));
        let signing = idp
            .children_named(MD, "KeyDescriptor")
            .find(|k| k.attr("use") == Some("signing"))
            .expect("signing KeyDescriptor");
        let cert = &signing.descendants(DS, "X509Certificate")[0].text;
        let expected: String = read_fixture("idp-cert.pem").lines().filter(|l| !l.starts_with("-----")).collect();
        assert_eq!(cert.trim(), expected, "the committed IdP certificate is published");
        let redirect = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
        let sso = idp.child(MD, "SingleSignOnService").unwrap();
        assert_eq!(
            (sso.attr("Binding"), sso.attr("Location")),
            (Some(redirect), Some(format!("{base}/{p}/sso").as_str()))
        );
        let slo = idp.child(MD, "SingleLogoutService").unwrap();
        assert_eq!(
            (slo.attr("Binding"), slo.attr("Location")),
            (Some(redirect), Some(format!("{base}/{p}/slo").as_str()))
        );
        let format = idp.child_text(MD, "NameIDFormat").unwrap();
        assert!(format.ends_with(if flavour == Flavour::Fk { "X509SubjectName" } else { "persistent" }));
        if xmlsec1() {
            let (ok, out) = xmlsec1_verify(&doc, "EntityDescriptor", "idp-cert.pem");
            assert!(ok, "metadata signature verifies with xmlsec1: {out}");
        }
    }
}

#[tokio::test]
async fn fk_journey_pick_page_to_signed_post_form() {
    let (base, idp) = start(Flavour::Fk).await;
    let (url, request_id) = sso_url(&base, Flavour::Fk, Some("/admin/valg?side=2&x=\"y\""));
    let page = get_ok(&url).await;
    assert!(page.contains("lang=\"da\"") && page.contains("Vælg en testbruger"));
    assert!(!page.contains("<script"), "the pick page needs no script");
    for user in ["admin", "sekretariat", "laeser", "anden-kommune"] {
        assert!(page.contains(&format!("name=\"user\" value=\"{user}\"")), "a button for {user}");
    }
    let pending = hidden(&page, "pending").expect("pending request id");

    let resp = client()
        .post(format!("{base}/fk/sso/login"))
        .form(&[("pending", pending.as_str()), ("user", "admin")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let csp = resp.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    let html = resp.text().await.unwrap();
    assert!(html.contains("<script src=\"/static/autopost.js\""), "external auto-submit script");
    assert!(html.contains("<button type=\"submit\">"), "visible submit button for no-JS browsers");
    let js = client().get(format!("{base}/static/autopost.js")).send().await.unwrap();
    assert!(js.headers()["content-type"].to_str().unwrap().contains("javascript"));
    assert!(js.text().await.unwrap().contains("saml-post"));

    let posted = posted(&html);
    assert_eq!(posted.relay_state.as_deref(), Some("/admin/valg?side=2&x=\"y\""), "RelayState unchanged");
    let response = xml(&posted.xml);
    assert!(response.is(SAMLP, "Response"));
    assert_eq!(response.attr("Destination"), Some(SP_ACS));
    assert_eq!(response.attr("InResponseTo"), Some(request_id.as_str()));
    assert_eq!(status_codes(&response), ["Success"]);
    assert_eq!(response.child_text(SAML, "Issuer").as_deref(), Some(format!("{base}/fk").as_str()));
    // Signature right after Issuer, on both Response and Assertion.
    assert_eq!(response.children[1].name, "Signature");
    let assertions: Vec<_> = response.children_named(SAML, "Assertion").collect();
    assert_eq!(assertions.len(), 1);
    let a = assertions[0];
    assert_eq!(a.children[0].name, "Issuer");
    assert_eq!(a.children[1].name, "Signature");
    let subject = a.child(SAML, "Subject").unwrap();
    let name_id = subject.child(SAML, "NameID").unwrap();
    assert_eq!(name_id.attr("Format"), Some("urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName"));
    assert_eq!(name_id.text, "C=DK,O=12345674,CN=Anna Administrator,Serial=6f1c2b0e-6a61-4c1e-9a55-0a0000000001");
    let confirmation = subject.child(SAML, "SubjectConfirmation").unwrap();
    assert_eq!(confirmation.attr("Method"), Some("urn:oasis:names:tc:SAML:2.0:cm:bearer"));
    let data = confirmation.child(SAML, "SubjectConfirmationData").unwrap();
    assert_eq!((data.attr("Recipient"), data.attr("InResponseTo")), (Some(SP_ACS), Some(request_id.as_str())));
    assert!(data.attr("NotOnOrAfter").is_some());
    let conditions = a.child(SAML, "Conditions").unwrap();
    assert!(conditions.attr("NotBefore").is_some() && conditions.attr("NotOnOrAfter").is_some());
    assert_eq!(conditions.descendants(SAML, "Audience")[0].text, SP_ENTITY);
    let authn = a.child(SAML, "AuthnStatement").unwrap();
    assert!(authn.attr("SessionIndex").is_some_and(|s| !s.is_empty()));
    assert_eq!(attribute(a, "https://data.gov.dk/concept/core/nsis/loa"), Some(vec!["Substantial".into()]));
    assert_eq!(attribute(a, "https://data.gov.dk/model/core/specVersion"), Some(vec!["OIO-SAML-3.0".into()]));

    // The privileges: base64 Basic Privilege Profile 1.2, scoped to the tenant CVR.
    let bpp_b64 = &attribute(a, "https://data.gov.dk/model/core/eid/privilegesIntermediate").unwrap()[0];
    let bpp = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(bpp_b64).unwrap()).unwrap();
    let list = xml(&bpp);
    assert!(list.is("http://digst.dk/oiosaml/basic_privilege_profile", "PrivilegeList"));
    let group = &list.children[0];
    assert_eq!(group.attr("Scope"), Some("urn:dk:gov:saml:cvrNumberIdentifier:12345674"));
    assert_eq!(group.children[0].text, "http://valghalla.dk/roles/usersystemrole/administrator/1");

    if xmlsec1() {
        let (ok, out) = xmlsec1_verify(&posted.xml, "Response", "idp-cert.pem");
        assert!(ok, "Response signature verifies with xmlsec1: {out}");
        let (ok, out) = xmlsec1_verify(&posted.xml, "Assertion", "idp-cert.pem");
        assert!(ok, "Assertion signature verifies with xmlsec1: {out}");
        let (ok, _) = xmlsec1_verify(&posted.xml.replace("Anna Administrator", "Mallory"), "Assertion", "idp-cert.pem");
        assert!(!ok, "a changed NameID breaks the signature");
    }

    // The control API recorded the AuthnRequest as the SP sent it.
    let recorded = idp.control.recorder.all();
    let sso = recorded.iter().find(|r| r.path == "/fk/sso").expect("recorded");
    let detail = sso.detail.as_ref().unwrap();
    assert_eq!(detail["request"]["id"], request_id.as_str());
    assert_eq!(detail["request"]["issuer"], SP_ENTITY);
    assert_eq!(detail["request"]["acs_url"], SP_ACS);
    assert_eq!(detail["signature"], "valid");
}

#[tokio::test]
async fn fk_privileges_in_both_namespace_versions_and_attribute_profiles() {
    let (base, _idp) = start(Flavour::Fk).await;
    let decode = |b64: &str| String::from_utf8(base64::engine::general_purpose::STANDARD.decode(b64).unwrap()).unwrap();

    // OIOSAML 2 names and BPP 1.0.1 with a constraint.
    let (posted, _) = sign_in(&base, Flavour::Fk, "sekretariat").await;
    let a = xml(&posted.xml);
    let a = a.child(SAML, "Assertion").unwrap();
    assert_eq!(attribute(a, "dk:gov:saml:attribute:AssuranceLevel"), Some(vec!["3".into()]));
    assert!(attribute(a, "https://data.gov.dk/model/core/eid/privilegesIntermediate").is_none());
    let bpp = xml(&decode(&attribute(a, "dk:gov:saml:attribute:Privileges_intermediate").unwrap()[0]));
    assert!(bpp.is("http://itst.dk/oiosaml/basic_privilege_profile", "PrivilegeList"));
    let group = &bpp.children[0];
    assert_eq!(group.children.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["Privilege", "Constraint"]);
    assert_eq!(group.children[1].attr("Name"), Some("http://sts.kombit.dk/constraints/kle/1"));

    // Both attribute names; two groups, one scoped to another CVR.
    let (posted, _) = sign_in(&base, Flavour::Fk, "laeser").await;
    let r = xml(&posted.xml);
    let a = r.child(SAML, "Assertion").unwrap();
    let v2 = attribute(a, "dk:gov:saml:attribute:Privileges_intermediate").unwrap();
    let v3 = attribute(a, "https://data.gov.dk/model/core/eid/privilegesIntermediate").unwrap();
    assert_eq!(v2, v3);
    let bpp = xml(&decode(&v3[0]));
    let scopes: Vec<_> = bpp.children.iter().map(|g| g.attr("Scope").unwrap().to_owned()).collect();
    assert_eq!(
        scopes,
        ["urn:dk:gov:saml:cvrNumberIdentifier:12345674", "urn:dk:gov:saml:cvrNumberIdentifier:29189846"]
    );

    // Only another CVR.
    let (posted, _) = sign_in(&base, Flavour::Fk, "anden-kommune").await;
    let r = xml(&posted.xml);
    let bpp = xml(&decode(
        &attribute(r.child(SAML, "Assertion").unwrap(), "https://data.gov.dk/model/core/eid/privilegesIntermediate")
            .unwrap()[0],
    ));
    assert!(bpp.children.iter().all(|g| g.attr("Scope") == Some("urn:dk:gov:saml:cvrNumberIdentifier:29189846")));

    // No privileges at all: the attribute is absent.
    let (posted, _) = sign_in(&base, Flavour::Fk, "uden-rettigheder").await;
    let r = xml(&posted.xml);
    let a = r.child(SAML, "Assertion").unwrap();
    assert!(attribute(a, "dk:gov:saml:attribute:Privileges_intermediate").is_none());
}

#[tokio::test]
async fn nemlogin_assertion_is_encrypted_to_the_sp_and_decrypts_with_xmlsec1() {
    let (base, _idp) = start(Flavour::NemLogin).await;
    let (url, request_id) = sso_url(&base, Flavour::NemLogin, None);
    let page = get_ok(&url).await;
    assert!(page.contains("name=\"user\" value=\"karen\""));
    let (posted, _) = sign_in(&base, Flavour::NemLogin, "karen").await;
    assert_eq!(posted.relay_state.as_deref(), Some("/efter-login"));
    assert!(!posted.xml.contains("1205851236"), "no CPR number in clear text");
    let response = xml(&posted.xml);
    assert_eq!(status_codes(&response), ["Success"]);
    assert!(response.child(SAML, "Assertion").is_none());
    let encrypted = response.child(SAML, "EncryptedAssertion").expect("EncryptedAssertion");
    let methods: Vec<_> = encrypted
        .descendants("http://www.w3.org/2001/04/xmlenc#", "EncryptionMethod")
        .into_iter()
        .map(|m| m.attr("Algorithm").unwrap().to_owned())
        .collect();
    assert!(methods.contains(&"http://www.w3.org/2009/xmlenc11#aes256-gcm".to_owned()), "{methods:?}");
    assert!(methods.contains(&"http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p".to_owned()), "{methods:?}");
    let _ = request_id;

    if !xmlsec1() {
        return;
    }
    let (ok, out) = xmlsec1_verify(&posted.xml, "Response", "idp-cert.pem");
    assert!(ok, "Response signature verifies: {out}");
    let decrypted = xmlsec1_decrypt(&posted.xml, "sp-key.pem").expect("xmlsec1 decrypts with the SP key");
    let (ok, out) = xmlsec1_verify(&decrypted, "Assertion", "idp-cert.pem");
    assert!(ok, "decrypted Assertion signature verifies: {out}");
    assert!(xmlsec1_decrypt(&posted.xml, "evil-key.pem").is_err(), "another key cannot decrypt");

    let r = xml(&decrypted);
    let a = r.child(SAML, "EncryptedAssertion").and_then(|e| e.child(SAML, "Assertion")).expect("Assertion in place");
    let name_id = a.descendants(SAML, "NameID")[0];
    assert_eq!(name_id.attr("Format"), Some("urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"));
    let eid = |n: &str| format!("https://data.gov.dk/model/core/eid/{n}");
    assert_eq!(attribute(a, &eid("cprNumber")), Some(vec!["1205851236".into()]));
    assert_eq!(attribute(a, &eid("cprUuid")), Some(vec!["8b0b7d1e-2f43-4a57-9c1a-0b0000000001".into()]));
    assert_eq!(attribute(a, &eid("fullName")), Some(vec!["Karen Testesen".into()]));
    assert_eq!(attribute(a, "https://data.gov.dk/concept/core/nsis/loa"), Some(vec!["Substantial".into()]));
    assert_eq!(attribute(a, "https://data.gov.dk/model/core/specVersion"), Some(vec!["OIO-SAML-3.0".into()]));
    let class = a.descendants(SAML, "AuthnContextClassRef")[0].text.clone();
    assert_eq!(class, "https://data.gov.dk/concept/core/nsis/loa/Substantial");
}

#[tokio::test]
async fn nemlogin_names_with_markup_are_escaped() {
    let mut config = simulators::idp::IdpConfig::new(Flavour::NemLogin, sp());
    config.encrypt_assertion = Some(false);
    let (base, _idp) = start_with(config).await;
    let (posted, _) = sign_in(&base, Flavour::NemLogin, "aase").await;
    let r = xml(&posted.xml);
    let a = r.child(SAML, "Assertion").unwrap();
    assert_eq!(attribute(a, "https://data.gov.dk/model/core/eid/fullName"), Some(vec!["Åse Ørsted-Æbelø & Co".into()]));
    if xmlsec1() {
        let (ok, out) = xmlsec1_verify(&posted.xml, "Assertion", "idp-cert.pem");
        assert!(ok, "{out}");
    }
}

#[tokio::test]
async fn refused_authn_requests() {
    let (base, idp) = start(Flavour::Fk).await;
    let sso = format!("{base}/fk/sso");
    let key = read_fixture("sp-key.pem");
    let evil = read_fixture("evil-key.pem");
    let good = authn_request_xml("_r1", &sso, SP_ACS, SP_ENTITY);
    let cases = [
        ("unsigned", redirect_query("SAMLRequest", &good, None, None), "missing"),
        ("signed by another key", redirect_query("SAMLRequest", &good, None, Some(&evil)), "invalid"),
        (
            "RelayState changed after signing",
            redirect_query("SAMLRequest", &good, Some("/a"), Some(&key)).replace("RelayState=%2Fa", "RelayState=%2Fb"),
            "invalid",
        ),
        (
            "unknown SP",
            redirect_query(
                "SAMLRequest",
                &authn_request_xml("_r2", &sso, SP_ACS, "https://ukendt.example"),
                None,
                Some(&key),
            ),
            "",
        ),
        (
            "unregistered ACS",
            redirect_query(
                "SAMLRequest",
                &authn_request_xml("_r3", &sso, "https://evil.example/acs", SP_ENTITY),
                None,
                Some(&key),
            ),
            "valid",
        ),
        (
            "another Destination",
            redirect_query(
                "SAMLRequest",
                &authn_request_xml("_r4", "https://andet.example/sso", SP_ACS, SP_ENTITY),
                None,
                Some(&key),
            ),
            "valid",
        ),
        ("not DEFLATE", "SAMLRequest=bm90LWRlZmxhdGU%3D".to_owned(), ""),
    ];
    for (what, query, signature) in cases {
        idp.control.recorder.clear();
        let resp = client().get(format!("{sso}?{query}&user=admin")).send().await.unwrap();
        assert_eq!(resp.status(), 400, "{what}");
        let body = resp.text().await.unwrap();
        assert!(body.contains("Login kunne ikke gennemføres") && !body.contains("SAMLResponse"), "{what}");
        let detail = idp.control.recorder.all()[0].detail.clone().unwrap();
        assert!(detail["error"].is_string(), "{what}: {detail}");
        if !signature.is_empty() {
            assert_eq!(detail["signature"], signature, "{what}");
        }
    }
}

#[tokio::test]
async fn without_a_registered_sp_certificate_signatures_are_not_checked() {
    let mut sp = sp();
    sp.signing_cert_pem = None;
    let (base, idp) = start_with(simulators::idp::IdpConfig::new(Flavour::Fk, sp)).await;
    let xml = authn_request_xml("_unsigned", &format!("{base}/fk/sso"), SP_ACS, SP_ENTITY);
    let html = get_ok(&format!("{base}/fk/sso?{}&user=admin", redirect_query("SAMLRequest", &xml, None, None))).await;
    assert_eq!(status_codes(&super::support::xml(&posted(&html).xml)), ["Success"]);
    assert_eq!(idp.control.recorder.all()[0].detail.as_ref().unwrap()["signature"], "not_checked");
}

#[tokio::test]
async fn cancel_on_the_pick_page_answers_authn_failed_and_a_used_form_is_refused() {
    let (base, _idp) = start(Flavour::NemLogin).await;
    let (url, request_id) = sso_url(&base, Flavour::NemLogin, None);
    let pending = hidden(&get_ok(&url).await, "pending").unwrap();
    let login = format!("{base}/nemlogin/sso/login");
    let resp = client().post(&login).form(&[("pending", pending.as_str()), ("cancel", "1")]).send().await.unwrap();
    let posted = posted(&resp.text().await.unwrap());
    let r = xml(&posted.xml);
    assert_eq!(status_codes(&r), ["Responder", "AuthnFailed"]);
    assert_eq!(r.attr("InResponseTo"), Some(request_id.as_str()));
    assert!(r.child(SAML, "EncryptedAssertion").is_none() && r.child(SAML, "Assertion").is_none());
    let again = client().post(&login).form(&[("pending", pending.as_str()), ("user", "karen")]).send().await.unwrap();
    assert_eq!(again.status(), 400, "a pending request is used once");
}

#[tokio::test]
async fn both_flavours_on_one_server() {
    let (base, _idp) = simulators::idp::SimIdp::start_all(vec![
        simulators::idp::IdpConfig::new(Flavour::Fk, sp()),
        simulators::idp::IdpConfig::new(Flavour::NemLogin, sp()),
    ])
    .await
    .unwrap();
    for (flavour, user) in [(Flavour::Fk, "admin"), (Flavour::NemLogin, "mads")] {
        let (posted, _) = sign_in(&base, flavour, user).await;
        assert_eq!(status_codes(&xml(&posted.xml)), ["Success"]);
    }
}
