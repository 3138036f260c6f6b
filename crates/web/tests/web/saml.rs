//! Sign-in through the real SAML flow against the IdP simulators: FK
//! Adgangsstyring for the admin app (roles from the tenant's own privileges
//! only), NemLog-in for the portal (LoA Substantial or more), replay and
//! unknown-request refusals, single logout, and the session cookie.

use domain::AdminRole;

use crate::support::{TestApp, cookie_named, location, page};

store::store_tests! {
    async fn fk_users_get_the_role_their_own_privileges_map_to(t: TestDb) {
        let app = TestApp::start_with_saml(t).await?;
        for (user, role, name) in [
            ("admin", AdminRole::Administrator, "Anna Administrator"),
            ("sekretariat", AdminRole::Secretariat, "Søren Sekretær"),
            // Reader here, administrator in another CVR: only the own CVR counts.
            ("laeser", AdminRole::Reader, "Lars Læser"),
            // Secretariat and reader: the highest role.
            ("flere-roller", AdminRole::Secretariat, "Freja Flere-Roller"),
        ] {
            let sign_in = app.fk_sign_in(user).await?;
            assert_eq!(sign_in.response.status(), 303, "{user}");
            assert_eq!(location(&sign_in.response), "/admin", "{user}");
            let cookie = sign_in.response.headers().get_all("set-cookie").iter()
                .filter_map(|v| v.to_str().ok()).find(|v| v.starts_with("vh_admin=")).expect("cookie").to_owned();
            assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/admin"), "{cookie}");
            let home = page(sign_in.client.get(app.url("/admin")).send().await?, 200).await?;
            assert!(home.contains(name) && home.contains(role.label()), "{user}: {home}");
            let stored = store::repo::users::list(app.db()).await?.into_iter().find(|u| u.name == name).expect("user");
            assert_eq!(stored.role, role.as_str());
            assert!(stored.last_fk_login_at.is_some() && stored.fk_uuid.is_some());
            assert_eq!(store::repo::users::last_fk_roles(&stored)[0], role);
        }
        // Each of the four is one user, found again by FK identity on a second sign-in.
        app.fk_sign_in("admin").await?;
        assert_eq!(store::repo::users::list(app.db()).await?.len(), 4);
    }

    async fn fk_users_without_an_own_mapped_privilege_get_no_access(t: TestDb) {
        let app = TestApp::start_with_saml(t).await?;
        // Another municipality's administrator, another IT system's privilege, none at all.
        for user in ["anden-kommune", "andet-system", "uden-rettigheder"] {
            let sign_in = app.fk_sign_in(user).await?;
            assert!(cookie_named(&sign_in.response, "vh_admin").is_none(), "{user} got a session");
            let body = page(sign_in.response, 403).await?;
            assert!(body.contains("Ingen adgang") && body.contains("ingen rolle i Valghalla"), "{user}: {body}");
            let home = sign_in.client.get(app.url("/admin")).send().await?;
            assert_eq!(location(&home), "/admin/login", "{user}");
        }
        assert!(store::repo::users::list(app.db()).await?.is_empty(), "no user is created without a role");
    }

    async fn a_replayed_response_is_refused(t: TestDb) {
        let app = TestApp::start_with_saml(t).await?;
        let first = app.fk_sign_in("admin").await?;
        assert_eq!(first.response.status(), 303);
        let again = app.anonymous().post(&first.acs).form(&[("SAMLResponse", first.saml_response.as_str())]).send().await?;
        assert!(cookie_named(&again, "vh_admin").is_none());
        let body = page(again, 400).await?;
        assert!(body.contains("udløbet eller allerede brugt"), "{body}");
    }

    async fn a_response_to_a_request_we_never_sent_is_refused(t: TestDb) {
        let app = TestApp::start_with_saml(t).await?;
        // A genuine, signed answer, but to a request the store no longer holds.
        let client = app.anonymous();
        let to_idp = client.get(app.url("/admin/saml/login")).send().await?;
        let html = page(client.get(format!("{}&user=admin", location(&to_idp))).send().await?, 200).await?;
        let (acs, fields) = crate::support::post_form(&html)?;
        use sea_orm::EntityTrait;
        store::entity::saml_requests::Entity::delete_many().exec(app.db()).await?;
        let response = client.post(&acs).form(&fields).send().await?;
        let body = page(response, 400).await?;
        assert!(body.contains("udløbet eller allerede brugt"), "{body}");
        // A portal request cannot be answered at the admin ACS either.
        let to_idp = client.get(app.url("/login")).send().await?;
        let html = page(client.get(format!("{}&user=karen", location(&to_idp))).send().await?, 200).await?;
        let (_, fields) = crate::support::post_form(&html)?;
        let crossed = client.post(app.url("/admin/saml/acs")).form(&fields).send().await?;
        assert_eq!(crossed.status(), 400);
    }

    async fn the_acs_needs_no_csrf_token_and_refuses_garbage(t: TestDb) {
        let app = TestApp::start_with_saml(t).await?;
        // A signed-in admin's browser carries the cookie to the ACS (same
        // site), from the IdP's origin, without a token: still accepted.
        let admin = app.fk_sign_in("admin").await?;
        let to_idp = admin.client.get(app.url("/admin/saml/login")).send().await?;
        let html = page(admin.client.get(format!("{}&user=laeser", location(&to_idp))).send().await?, 200).await?;
        let (acs, fields) = crate::support::post_form(&html)?;
        let idp_origin = app.idp.as_ref().unwrap().base_url.clone();
        let response = admin.client.post(&acs).header("origin", idp_origin).form(&fields).send().await?;
        assert_eq!(response.status(), 303);
        let garbage = app.anonymous().post(app.url("/admin/saml/acs")).form(&[("SAMLResponse", "bm9wZQ==")]).send().await?;
        assert_eq!(garbage.status(), 400);
    }

    async fn a_new_session_id_at_every_sign_in(t: TestDb) {
        let app = TestApp::start_with_saml(t).await?;
        let first = app.fk_sign_in("admin").await?;
        let old = cookie_named(&first.response, "vh_admin").expect("cookie");
        let second = app.saml_sign_in(first.client.clone(), "/admin/saml/login", "admin").await?;
        let new = cookie_named(&second.response, "vh_admin").expect("cookie");
        assert_ne!(old, new);
    }

    async fn fk_logout_ends_the_local_and_the_idp_session(t: TestDb) {
        let app = TestApp::start_with_saml(t).await?;
        let sign_in = app.fk_sign_in("admin").await?;
        let client = sign_in.client;
        let home = page(client.get(app.url("/admin")).send().await?, 200).await?;
        let csrf = home.split("name=\"csrf\" value=\"").nth(1).and_then(|r| r.split('"').next()).expect("csrf").to_owned();
        let logout = client.post(app.url("/admin/logout")).form(&[("csrf", csrf)]).send().await?;
        assert_eq!(logout.status(), 303);
        let to_idp = location(&logout);
        assert!(to_idp.contains("/fk/slo?SAMLRequest="), "{to_idp}");
        assert_eq!(cookie_named(&logout, "vh_admin").as_deref(), Some(""));
        // The local session is gone before the IdP answers.
        assert_eq!(location(&client.get(app.url("/admin")).send().await?), "/admin/login");
        // The IdP answers with a signed LogoutResponse to our SLO endpoint.
        let answer = client.get(&to_idp).send().await?;
        let back = location(&answer);
        assert!(back.starts_with(&app.url("/admin/saml/slo?SAMLResponse=")), "{back}");
        let done = client.get(&back).send().await?;
        assert_eq!(location(&done), "/admin/login?logget-ud=1");
        let body = page(client.get(app.url("/admin/login?logget-ud=1")).send().await?, 200).await?;
        assert!(body.contains("Du er logget ud"));
    }

    async fn idp_initiated_logout_ends_the_session(t: TestDb) {
        let app = TestApp::start_with_saml(t).await?;
        let sign_in = app.fk_sign_in("admin").await?;
        let client = sign_in.client;
        assert_eq!(client.get(app.url("/admin")).send().await?.status(), 200);
        let idp = app.idp.as_ref().unwrap();
        let initiate = client.get(idp.url(simulators::idp::Flavour::Fk, "slo/initiate")).send().await?;
        let to_us = location(&initiate);
        assert!(to_us.starts_with(&app.url("/admin/saml/slo?SAMLRequest=")), "{to_us}");
        let answer = client.get(&to_us).send().await?;
        assert!(location(&answer).contains("/fk/slo?SAMLResponse="), "{}", location(&answer));
        assert_eq!(location(&client.get(app.url("/admin")).send().await?), "/admin/login");
        // A forged logout request (unsigned) ends nothing.
        let other = app.fk_sign_in("admin").await?;
        let forged = other.client.get(app.url("/admin/saml/slo?SAMLRequest=abc")).send().await?;
        assert_eq!(forged.status(), 400);
        assert_eq!(other.client.get(app.url("/admin")).send().await?.status(), 200);
    }

    async fn sp_metadata_is_served_for_both_apps(t: TestDb) {
        let app = TestApp::start_with_saml(t).await?;
        for (path, acs) in [("/admin/saml/metadata", "/admin/saml/acs"), ("/saml/metadata", "/saml/acs")] {
            let response = app.anonymous().get(app.url(path)).send().await?;
            let body = page(response, 200).await?;
            assert!(body.contains("EntityDescriptor") && body.contains(&app.url(acs)), "{body}");
            assert!(body.contains("Signature"), "signed metadata");
        }
    }

    async fn participants_sign_in_with_mitid_and_reach_their_tasks(t: TestDb) {
        let app = TestApp::start_with_saml(t).await?;
        let karen = crate::portal::participant_with_seat(&app, "1205851236", "Karen", "Testesen").await?;
        let sign_in = app.mitid_sign_in("karen").await?;
        assert_eq!(sign_in.response.status(), 303);
        assert_eq!(location(&sign_in.response), "/mine-opgaver");
        let cookie = sign_in.response.headers().get_all("set-cookie").iter()
            .filter_map(|v| v.to_str().ok()).find(|v| v.starts_with("vh_portal=")).expect("cookie").to_owned();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/;"), "{cookie}");
        let tasks = page(sign_in.client.get(app.url("/mine-opgaver")).send().await?, 200).await?;
        assert!(tasks.contains("Mine opgaver") && tasks.contains("Karen Testesen"), "{tasks}");
        assert!(tasks.contains(&karen.1), "the seat's work location: {tasks}");
        // A signed-in person without a participant row is told so.
        let mads = app.mitid_sign_in("mads").await?;
        assert_eq!(location(&mads.response), "/mine-opgaver");
        let body = page(mads.client.get(app.url("/mine-opgaver")).send().await?, 403).await?;
        assert!(body.contains("ikke tilmeldt som deltager"), "{body}");
    }

    async fn mitid_loa_low_is_refused(t: TestDb) {
        let app = TestApp::start_with_saml(t).await?;
        let sign_in = app.mitid_sign_in("lav").await?;
        assert!(cookie_named(&sign_in.response, "vh_portal").is_none());
        let body = page(sign_in.response, 403).await?;
        assert!(body.contains("For lavt sikringsniveau"), "{body}");
        // Also when a citizen who normally has Substantial comes with Low.
        app.idp_fault(serde_json::json!({"kind": "loa_low", "key": "karen", "times": 1})).await?;
        let body = page(app.mitid_sign_in("karen").await?.response, 403).await?;
        assert!(body.contains("For lavt sikringsniveau"), "{body}");
    }

    async fn portal_logout_ends_the_session(t: TestDb) {
        let app = TestApp::start_with_saml(t).await?;
        crate::portal::participant_with_seat(&app, "1205851236", "Karen", "Testesen").await?;
        let sign_in = app.mitid_sign_in("karen").await?;
        let client = sign_in.client;
        let tasks = page(client.get(app.url("/mine-opgaver")).send().await?, 200).await?;
        let csrf = tasks.split("name=\"csrf\" value=\"").nth(1).and_then(|r| r.split('"').next()).expect("csrf").to_owned();
        // Without the token: refused.
        assert_eq!(client.post(app.url("/logout")).send().await?.status(), 403);
        let logout = client.post(app.url("/logout")).form(&[("csrf", csrf)]).send().await?;
        assert!(location(&logout).contains("/nemlogin/slo?SAMLRequest="), "{}", location(&logout));
        assert_eq!(location(&client.get(app.url("/mine-opgaver")).send().await?), "/login");
        let answer = client.get(location(&logout)).send().await?;
        let done = client.get(location(&answer)).send().await?;
        assert_eq!(location(&done), "/?logget-ud=1");
    }

    async fn every_response_has_the_security_headers(t: TestDb) {
        let app = TestApp::start_with_saml(t).await?;
        let idp = app.idp.as_ref().unwrap().base_url.clone();
        for path in ["/", "/admin/login", "/static/valghalla.css", "/nowhere", "/admin/saml/metadata"] {
            let response = app.anonymous().get(app.url(path)).send().await?;
            let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
            let csp = header("content-security-policy");
            assert!(csp.contains("default-src 'self'") && csp.contains("script-src 'self'"), "{path}: {csp}");
            assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
            assert!(csp.contains(&format!("form-action 'self' {idp}")), "{path}: {csp}");
            assert!(csp.contains("frame-ancestors 'none'"), "{path}");
            assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
            assert_eq!(header("x-frame-options"), "DENY", "{path}");
            assert!(!header("referrer-policy").is_empty(), "{path}");
        }
    }

    async fn sign_in_endpoints_are_rate_limited(t: TestDb) {
        let options = crate::support::Options { saml: true, login_limit: Some((3, 1)), ..Default::default() };
        let app = TestApp::start_with_options(t, options).await?;
        let client = app.anonymous();
        for _ in 0..3 {
            assert_eq!(client.get(app.url("/admin/saml/login")).send().await?.status(), 303);
        }
        let limited = client.get(app.url("/admin/saml/login")).send().await?;
        assert_eq!(limited.status(), 429);
        assert_eq!(client.get(app.url("/login")).send().await?.status(), 429, "one bucket per client");
        assert_eq!(client.post(app.url("/saml/acs")).form(&[("SAMLResponse", "x")]).send().await?.status(), 429);
        // Other pages are not limited.
        assert_eq!(client.get(app.url("/admin/login")).send().await?.status(), 200);
    }

    async fn idle_sessions_end(t: TestDb) {
        let options = crate::support::Options {
            saml: true,
            auth: Some(Box::new(|auth: &mut web::auth::TenantAuth| {
                auth.admin_idle_timeout = chrono::Duration::seconds(1);
                auth.portal_idle_timeout = chrono::Duration::seconds(1);
            })),
            ..Default::default()
        };
        let app = TestApp::start_with_options(t, options).await?;
        let admin = app.fk_sign_in("admin").await?;
        assert_eq!(admin.client.get(app.url("/admin")).send().await?.status(), 200);
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        assert_eq!(location(&admin.client.get(app.url("/admin")).send().await?), "/admin/login");
    }
}
