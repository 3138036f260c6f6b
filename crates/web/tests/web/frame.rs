//! Tenant resolution, sign-in, the page frame and the ops endpoints.

use domain::AdminRole;
use store::testing::TestDb;

use crate::support::{self, TestApp, location, page};

store::store_tests! {
    async fn unknown_host_gets_404_not_another_tenant(t: TestDb) {
        let app = TestApp::start(t).await?;
        let response = app.anonymous().get(app.url("/admin/login")).header("host", "other.example").send().await?;
        let body = page(response, 404).await?;
        assert!(body.contains("hører ikke til nogen kommune"));
        assert!(!body.contains("Korsbæk"));
    }

    async fn portal_front_page_names_the_municipality(t: TestDb) {
        let app = TestApp::start(t).await?;
        let body = page(app.anonymous().get(app.url("/")).send().await?, 200).await?;
        assert!(body.contains("Bliv valgtilforordnet i Korsbæk Kommune"), "{body}");
        assert!(body.contains("lang=\"da\""));
    }

    async fn tenants_never_see_each_others_data_or_sessions(t: TestDb) {
        let (app, lilleby) = TestApp::start_with_neighbour(t, TestDb::sqlite().await?).await?;
        let korsbaek_admin = app.sign_in(AdminRole::Administrator).await?;
        let form = [("name", "Korsbæks hemmelige område"), ("description", "")];
        let created = korsbaek_admin.post(app.url("/admin/areas/new")).form(&form).send().await?;
        assert_eq!(created.status(), 303);

        // Korsbæk's session cookie means nothing at Lilleby's host.
        let lilleby_host = lilleby.admin_host.as_str();
        let response = korsbaek_admin.get(app.url("/admin/areas")).header("host", lilleby_host).send().await?;
        assert_eq!(response.status(), 303);
        assert_eq!(location(&response), "/admin/login");

        // A Lilleby admin sees Lilleby's data only.
        let session = support::admin_session(&lilleby, AdminRole::Administrator).await?;
        let client = app.anonymous();
        let areas = client
            .get(app.url("/admin/areas"))
            .header("host", lilleby_host)
            .header("cookie", format!("vh_admin={session}"))
            .send()
            .await?;
        let body = page(areas, 200).await?;
        assert!(body.contains("Lilleby Kommune"), "{body}");
        assert!(!body.contains("hemmelige"), "{body}");
        // And Lilleby's session does not open Korsbæk.
        let cross = client.get(app.url("/admin/areas")).header("cookie", format!("vh_admin={session}")).send().await?;
        assert_eq!(cross.status(), 303);
    }

    async fn admin_pages_need_a_session(t: TestDb) {
        let app = TestApp::start(t).await?;
        let response = app.anonymous().get(app.url("/admin")).send().await?;
        assert_eq!(response.status(), 303);
        assert_eq!(location(&response), "/admin/login");
    }

    async fn a_session_made_for_a_role_signs_in(t: TestDb) {
        let app = TestApp::start(t).await?;
        let admin = app.sign_in(AdminRole::Administrator).await?;
        let body = page(admin.get(app.url("/admin")).send().await?, 200).await?;
        assert!(body.contains("Test Administrator"));
        // Without SAML configured, the sign-in page says so and offers no way in.
        let login = page(app.anonymous().get(app.url("/admin/login")).send().await?, 200).await?;
        assert!(login.contains("ikke sat op"), "{login}");
        assert!(!login.contains("demo-login"));
        let gone = app.anonymous().post(app.url("/admin/demo-login")).form(&[("user_id", "x")]).send().await?;
        assert_eq!(gone.status(), 404, "the demo sign-in page is gone");
    }

    async fn logout_ends_the_session(t: TestDb) {
        let app = TestApp::start(t).await?;
        let admin = app.sign_in(AdminRole::Reader).await?;
        let response = admin.post(app.url("/admin/logout")).send().await?;
        assert_eq!(location(&response), "/admin/login?logget-ud=1");
        let response = admin.get(app.url("/admin")).send().await?;
        assert_eq!(response.status(), 303);
    }

    async fn cross_site_posts_are_refused(t: TestDb) {
        let app = TestApp::start(t).await?;
        let admin = app.sign_in(AdminRole::Administrator).await?;
        let response = admin.post(app.url("/admin/logout")).header("origin", "https://evil.example").send().await?;
        assert_eq!(response.status(), 403);
    }

    async fn state_changing_requests_need_the_session_csrf_token(t: TestDb) {
        let app = TestApp::start(t).await?;
        let session = support::session_of(&app, AdminRole::Administrator).await?;
        let token = web::csrf::token_for(&session);
        let bare = app.anonymous();
        let cookie = format!("vh_admin={session}");
        // No token, and a token of another session: refused.
        let no_token = bare.post(app.url("/admin/logout")).header("cookie", &cookie).send().await?;
        assert_eq!(no_token.status(), 403);
        let wrong = bare
            .post(app.url("/admin/logout"))
            .header("cookie", &cookie)
            .form(&[("csrf", web::csrf::token_for("another session"))])
            .send()
            .await?;
        assert_eq!(wrong.status(), 403);
        // The hidden form field (urlencoded) and the query (multipart) work.
        let home = page(bare.get(app.url("/admin")).header("cookie", &cookie).send().await?, 200).await?;
        assert!(home.contains(&format!("name=\"csrf\" value=\"{token}\"")), "{home}");
        let field = bare.post(app.url("/admin/logout")).header("cookie", &cookie).form(&[("csrf", &token)]).send().await?;
        assert_eq!(location(&field), "/admin/login?logget-ud=1");
        let session = support::session_of(&app, AdminRole::Reader).await?;
        let query = bare
            .post(app.url(&format!("/admin/logout?csrf={}", web::csrf::token_for(&session))))
            .header("cookie", format!("vh_admin={session}"))
            .multipart(reqwest::multipart::Form::new().text("x", "y"))
            .send()
            .await?;
        assert_eq!(location(&query), "/admin/login?logget-ud=1");
    }

    async fn health_and_metrics(t: TestDb) {
        let app = TestApp::start(t).await?;
        let client = app.anonymous();
        let live: serde_json::Value = client.get(app.url("/health/live")).send().await?.json().await?;
        assert_eq!(live["status"], "live");
        let ready = client.get(app.url("/health/ready")).send().await?;
        assert_eq!(ready.status(), 200);
        let ready: serde_json::Value = ready.json().await?;
        assert_eq!(ready["tenants"][0]["tenant"], "korsbaek");
        assert_eq!(ready["tenants"][0]["database"], "ok");
        assert_eq!(client.get(app.url("/metrics")).send().await?.status(), 200);
    }
}
