//! The role matrix: every admin route × (Administrator, Secretariat, Reader,
//! anonymous) and every portal route × (participant, team responsible,
//! work-location responsible, anonymous), from one table. The routes are
//! read from the source (`.route("…")` in `src/admin` and `src/portal`), so a
//! new route without an entry here fails the test.

use std::collections::BTreeSet;
use std::path::Path;

use domain::AdminRole;

use crate::support::{Options, TestApp, location};

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    /// No session needed; the answer is the same for everybody.
    Public,
    /// Any signed-in admin (readers included).
    Read,
    /// Administrators and the secretariat.
    Edit,
    /// Administrators only.
    Administer,
    /// Portal: any participant.
    Participant,
    /// Portal: team responsibles.
    TeamResponsible,
    /// Portal: work-location responsibles.
    WorkLocationResponsible,
}

use Access::*;

/// (method, route as written, who). `{…}` parameters get a random UUID, so
/// an allowed role meets "not found" and a refused one "forbidden", and no
/// request changes anything.
const ROUTES: &[(&str, &str, Access)] = &[
    // Admin app: sign-in and the frame.
    ("GET", "/admin", Read),
    ("GET", "/admin/login", Public),
    ("GET", "/admin/saml/metadata", Public),
    ("GET", "/admin/saml/login", Public),
    ("POST", "/admin/saml/acs", Public),
    ("GET", "/admin/saml/slo", Public),
    ("POST", "/admin/logout", Public),
    ("GET", "/admin/saml/mitid/metadata", Public),
    ("GET", "/admin/saml/mitid/login", Public),
    ("POST", "/admin/saml/mitid/acs", Public),
    ("GET", "/admin/saml/mitid/slo", Public),
    ("GET", "/admin/min-bruger", Read),
    ("POST", "/admin/min-bruger/mitid", Read),
    ("GET", "/admin/status", Read),
    ("POST", "/admin/status/fallback", Administer),
    ("GET", "/admin/audit-log", Administer),
    // Master data: readers read, the secretariat edits.
    ("GET", "/admin/areas", Read),
    ("GET", "/admin/areas/new", Edit),
    ("POST", "/admin/areas/new", Edit),
    ("GET", "/admin/areas/{id}/edit", Edit),
    ("POST", "/admin/areas/{id}/edit", Edit),
    ("GET", "/admin/areas/{id}/delete", Edit),
    ("POST", "/admin/areas/{id}/delete", Edit),
    ("GET", "/admin/diets", Read),
    ("GET", "/admin/diets/new", Edit),
    ("POST", "/admin/diets/new", Edit),
    ("GET", "/admin/diets/{id}/edit", Edit),
    ("POST", "/admin/diets/{id}/edit", Edit),
    ("GET", "/admin/diets/{id}/delete", Edit),
    ("POST", "/admin/diets/{id}/delete", Edit),
    ("GET", "/admin/templates", Read),
    ("GET", "/admin/templates/new", Edit),
    ("POST", "/admin/templates/new", Edit),
    ("GET", "/admin/templates/{id}/edit", Edit),
    ("POST", "/admin/templates/{id}/edit", Edit),
    ("GET", "/admin/templates/{id}/preview", Read),
    ("GET", "/admin/templates/{id}/delete", Edit),
    ("POST", "/admin/templates/{id}/delete", Edit),
    ("GET", "/admin/templates/elections/{id}", Read),
    ("POST", "/admin/templates/elections/{id}", Edit),
    ("POST", "/admin/templates/{id}/files", Edit),
    ("POST", "/admin/templates/{id}/files/{file}/delete", Edit),
    ("GET", "/admin/web-pages", Read),
    ("GET", "/admin/web-pages/{key}/edit", Edit),
    ("POST", "/admin/web-pages/{key}/edit", Edit),
    ("GET", "/admin/web-pages/contact-information", Edit),
    ("POST", "/admin/web-pages/contact-information", Edit),
    ("GET", "/admin/election-types", Read),
    ("GET", "/admin/election-types/new", Edit),
    ("POST", "/admin/election-types/new", Edit),
    ("GET", "/admin/election-types/{id}/edit", Edit),
    ("POST", "/admin/election-types/{id}/edit", Edit),
    ("GET", "/admin/election-types/{id}/delete", Edit),
    ("POST", "/admin/election-types/{id}/delete", Edit),
    ("GET", "/admin/elections", Read),
    ("GET", "/admin/elections/new", Edit),
    ("POST", "/admin/elections/new", Edit),
    ("GET", "/admin/elections/{id}", Read),
    ("GET", "/admin/elections/{id}/edit", Edit),
    ("POST", "/admin/elections/{id}/edit", Edit),
    ("GET", "/admin/elections/{id}/duplicate", Edit),
    ("POST", "/admin/elections/{id}/duplicate", Edit),
    ("GET", "/admin/elections/{id}/activate", Edit),
    ("POST", "/admin/elections/{id}/activate", Edit),
    ("GET", "/admin/elections/{id}/deactivate", Edit),
    ("POST", "/admin/elections/{id}/deactivate", Edit),
    ("GET", "/admin/elections/{id}/delete", Edit),
    ("POST", "/admin/elections/{id}/delete", Edit),
    // Tasks of an election: readers see them, the secretariat acts.
    ("GET", "/admin/elections/{id}/tasks", Read),
    ("GET", "/admin/elections/{id}/rejected", Read),
    ("POST", "/admin/elections/{id}/queue-messages", Edit),
    ("GET", "/admin/elections/{id}/tasks/{wl}", Read),
    ("GET", "/admin/elections/{id}/tasks/{wl}/distribute", Edit),
    ("POST", "/admin/elections/{id}/tasks/{wl}/distribute", Edit),
    ("POST", "/admin/elections/{id}/tasks/{wl}/move", Edit),
    ("GET", "/admin/seats/{seat}/assign", Edit),
    ("POST", "/admin/seats/{seat}/assign", Edit),
    ("POST", "/admin/seats/{seat}/remove", Edit),
    ("POST", "/admin/seats/{seat}/reply", Edit),
    ("GET", "/admin/messages", Read),
    ("GET", "/admin/messages/{id}", Read),
    ("POST", "/admin/messages/{id}/send-again", Edit),
    ("GET", "/admin/elections/{id}/group-message", Edit),
    ("POST", "/admin/elections/{id}/group-message", Edit),
    ("GET", "/admin/elections/{id}/links", Read),
    ("POST", "/admin/elections/{id}/links", Edit),
    ("POST", "/admin/elections/{id}/links/{link}/revoke", Edit),
    ("GET", "/admin/task-types", Read),
    ("GET", "/admin/task-types/new", Edit),
    ("POST", "/admin/task-types/new", Edit),
    ("GET", "/admin/task-types/{id}/edit", Edit),
    ("POST", "/admin/task-types/{id}/edit", Edit),
    ("GET", "/admin/task-types/{id}/delete", Edit),
    ("POST", "/admin/task-types/{id}/delete", Edit),
    ("GET", "/admin/task-types/{id}/files/{file_id}", Read),
    ("POST", "/admin/task-types/{id}/files/{file_id}/delete", Edit),
    ("GET", "/admin/teams", Read),
    ("GET", "/admin/teams/new", Edit),
    ("POST", "/admin/teams/new", Edit),
    ("GET", "/admin/teams/{id}/edit", Edit),
    ("POST", "/admin/teams/{id}/edit", Edit),
    ("GET", "/admin/teams/{id}/delete", Edit),
    ("POST", "/admin/teams/{id}/delete", Edit),
    ("GET", "/admin/work-locations", Read),
    ("GET", "/admin/work-locations/new", Edit),
    ("POST", "/admin/work-locations/new", Edit),
    ("GET", "/admin/work-locations/{id}/edit", Edit),
    ("POST", "/admin/work-locations/{id}/edit", Edit),
    ("GET", "/admin/work-locations/{id}/delete", Edit),
    ("POST", "/admin/work-locations/{id}/delete", Edit),
    // Participants.
    ("GET", "/admin/participants", Read),
    ("POST", "/admin/participants/bulk-delete", Edit),
    ("GET", "/admin/participants/new", Edit),
    ("POST", "/admin/participants/new", Edit),
    ("GET", "/admin/participants/{id}", Read),
    ("POST", "/admin/participants/{id}/revalidate", Edit),
    ("POST", "/admin/participants/{id}/comments", Edit),
    ("POST", "/admin/participants/{id}/comments/{comment}/delete", Edit),
    ("GET", "/admin/participants/{id}/edit", Edit),
    ("POST", "/admin/participants/{id}/edit", Edit),
    ("GET", "/admin/participants/{id}/delete", Edit),
    ("POST", "/admin/participants/{id}/delete", Edit),
    // Integration status (CPR …).
    ("GET", "/admin/integrations", Read),
    ("POST", "/admin/integrations/{name}/test", Edit),
    // CPR review list (changes held back before an election).
    ("GET", "/admin/cpr-review", Read),
    ("POST", "/admin/cpr-review/{id}/remove", Edit),
    ("POST", "/admin/cpr-review/{id}/keep", Edit),
    ("POST", "/admin/cpr-review/settings", Administer),
    // Portal.
    ("GET", "/", Public),
    ("GET", "/login", Public),
    // Portal: the content pages the municipality writes.
    ("GET", "/faq", Public),
    ("GET", "/kontakt-os", Public),
    ("GET", "/privatlivspolitik", Public),
    ("GET", "/saml/metadata", Public),
    ("POST", "/saml/acs", Public),
    ("GET", "/saml/slo", Public),
    ("POST", "/logout", Public),
    ("GET", "/mine-opgaver", Participant),
    ("GET", "/mine-hold", TeamResponsible),
    ("GET", "/mine-arbejdssteder", WorkLocationResponsible),
    ("GET", "/mine-hold/{team}/fjern/{participant}", TeamResponsible),
    ("POST", "/mine-hold/{team}/fjern/{participant}", TeamResponsible),
    // The read-only link: the token is the key, no sign-in.
    ("GET", "/mit-overblik/{token}", Public),
    // Portal: the personal invitation (the page itself is public; answering needs sign-in).
    ("GET", "/opgaver/invitation/{seat}/{code}", Public),
    ("POST", "/opgaver/invitation/{seat}/{code}/accepter", Participant),
    ("POST", "/opgaver/invitation/{seat}/{code}/afvis", Participant),
    // Portal: Mine opgaver per seat.
    ("GET", "/mine-opgaver/{seat}/kalender.ics", Participant),
    ("GET", "/mine-opgaver/{seat}/filer/{file}", Participant),
    ("POST", "/mine-opgaver/{seat}/afmeld", Participant),
    // Portal: sign-up links (the token is checked before sign-in is asked for).
    ("GET", "/tilmelding/hold/{token}", Public),
    ("POST", "/tilmelding/hold/{token}", Public),
    ("GET", "/tilmelding/opgave/{token}", Public),
    ("POST", "/tilmelding/opgave/{token}", Public),
    // Portal: free seats to take.
    ("GET", "/opgaver", Participant),
    ("POST", "/opgaver/{seat}/tilmeld", Participant),
    // Portal: a filtered task-list link (public list; the token is checked before sign-in is asked for).
    ("GET", "/opgaveliste/{token}", Public),
    ("GET", "/opgaveliste/{token}/{seat}", Public),
    ("POST", "/opgaveliste/{token}/{seat}", Public),
    // Portal: Min profil.
    ("GET", "/min-profil", Participant),
    ("POST", "/min-profil", Participant),
    ("POST", "/min-profil/slet", Participant),
    // Portal: the language switch.
    ("GET", "/sprog/{lang}", Public),
];

/// Routes whose forms are multipart (uploads): an urlencoded body would be
/// refused by the extractor before the role check runs.
const MULTIPART: &[&str] = &["/admin/task-types/new", "/admin/task-types/{id}/edit", "/admin/templates/{id}/files"];

/// Every `.route("…")` under `src/admin` (prefixed `/admin`) and `src/portal`.
fn routes_in_source() -> BTreeSet<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = BTreeSet::new();
    for (dir, prefix) in [("admin", "/admin"), ("portal", "")] {
        let mut stack = vec![src.join(dir)];
        while let Some(path) = stack.pop() {
            if path.is_dir() {
                stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for piece in text.split(".route(").skip(1) {
                let Some(start) = piece.find('"') else { continue };
                let rest = &piece[start + 1..];
                let route = &rest[..rest.find('"').unwrap()];
                let full = match (prefix, route) {
                    ("/admin", "/") => "/admin".to_owned(),
                    _ => format!("{prefix}{route}"),
                };
                found.insert(full);
            }
        }
    }
    found
}

fn concrete(route: &str) -> String {
    route
        .split('/')
        .map(|part| if part.starts_with('{') { uuid::Uuid::new_v4().to_string() } else { part.to_owned() })
        .collect::<Vec<_>>()
        .join("/")
}

async fn send(client: &reqwest::Client, app: &TestApp, method: &str, route: &str) -> anyhow::Result<reqwest::Response> {
    let url = app.url(&concrete(route));
    Ok(match method {
        "GET" => client.get(url).send().await?,
        _ if MULTIPART.contains(&route) => {
            client.post(url).multipart(reqwest::multipart::Form::new().text("x", "y")).send().await?
        }
        _ => client.post(url).form(&[("x", "y")]).send().await?,
    })
}

/// The answer's status and where it redirects.
async fn outcome(client: &reqwest::Client, app: &TestApp, method: &str, route: &str) -> anyhow::Result<(u16, String)> {
    let response = send(client, app, method, route).await?;
    Ok((response.status().as_u16(), location(&response)))
}

fn admin_may(role: AdminRole, access: Access) -> bool {
    match access {
        Read => true,
        Edit => role.may_edit(),
        Administer => role.may_administer(),
        _ => unreachable!("not an admin access"),
    }
}

fn sign_in_path(route: &str) -> &'static str {
    if route.starts_with("/admin") { "/admin/login" } else { "/login" }
}

#[test]
fn every_route_in_the_source_has_an_entry() {
    let listed: BTreeSet<&str> = ROUTES.iter().map(|(_, r, _)| *r).collect();
    let missing: Vec<_> = routes_in_source().into_iter().filter(|r| !listed.contains(r.as_str())).collect();
    assert!(missing.is_empty(), "routes without an entry in the access table: {missing:?}");
}

store::store_tests! {
    async fn every_route_answers_each_role_as_the_table_says(t: TestDb) {
        let options = Options { saml: true, login_limit: Some((10_000, 10_000)), ..Default::default() };
        let app = TestApp::start_with_options(t, options).await?;
        let in_source = routes_in_source();
        let roles = [AdminRole::Administrator, AdminRole::Secretariat, AdminRole::Reader];
        let mut admins = Vec::new();
        for role in roles {
            admins.push((role, app.sign_in(role).await?));
        }
        // Portal people: a plain participant, a team responsible, a work-location responsible.
        let (plain, _) = crate::portal::participant_with_seat(&app, "1205851236", "Karen", "Testesen").await?;
        let team_lead = crate::portal::participant(&app, "0302700517", "Mads", "Prøvesen").await?;
        let place_lead = crate::portal::participant(&app, "2412492348", "Åse", "Ørsted").await?;
        use sea_orm::EntityTrait;
        let seat = store::entity::seats::Entity::find().one(app.db()).await?.expect("seat");
        let of = crate::staffing_fixtures::SeatOf {
            election: seat.election_id,
            work_location: seat.work_location_id,
            team: seat.team_id,
            task_type: seat.task_type_id,
        };
        crate::portal::make_team_responsible(&app, team_lead, &of).await?;
        crate::portal::make_work_location_responsible(&app, place_lead, &of).await?;
        let citizens = [
            (Participant, app.sign_in_citizen(Some(plain)).await?),
            (TeamResponsible, app.sign_in_citizen(Some(team_lead)).await?),
            (WorkLocationResponsible, app.sign_in_citizen(Some(place_lead)).await?),
        ];
        let anonymous = app.anonymous();
        let mut failures = Vec::new();
        for &(method, route, access) in ROUTES.iter().filter(|(_, r, _)| in_source.contains(*r)) {
            let what = format!("{method} {route}");
            let anon = outcome(&anonymous, &app, method, route).await?;
            if access == Public {
                // Same answer for everybody; never "sign in first". Fresh
                // sessions, since signing out is one of these routes.
                for role in roles {
                    let client = app.sign_in(role).await?;
                    let seen = outcome(&client, &app, method, route).await?;
                    if seen.0 != anon.0 || seen.1 == "/admin/login" {
                        failures.push(format!("{what}: {role:?} got {seen:?}, anonymous {anon:?}"));
                    }
                }
                if anon.1 == sign_in_path(route) {
                    failures.push(format!("{what}: public, but anonymous is sent to sign in"));
                }
                continue;
            }
            // Portal pages may ask sign-in to come back (`/login?next=…`).
            if anon.0 != 303 || anon.1.split('?').next() != Some(sign_in_path(route)) {
                failures.push(format!("{what}: anonymous got {anon:?}"));
            }
            if route.starts_with("/admin") {
                for (role, client) in &admins {
                    let seen = outcome(client, &app, method, route).await?;
                    let allowed = admin_may(*role, access);
                    let refused = seen.0 == 403;
                    let sent_away = seen.1 == "/admin/login";
                    if allowed == refused || sent_away {
                        failures.push(format!("{what}: {role:?} (allowed: {allowed}) got {seen:?}"));
                    }
                }
                // A portal session opens no admin page.
                let seen = outcome(&citizens[0].1, &app, method, route).await?;
                if seen != (303, "/admin/login".to_owned()) {
                    failures.push(format!("{what}: a participant's portal session got {seen:?}"));
                }
            } else {
                for (who, client) in &citizens {
                    let seen = outcome(client, &app, method, route).await?;
                    let allowed = access == Participant || access == *who;
                    // Admitted: anything but "forbidden" or "sign in" (random
                    // ids meet "not found" or "gone" once admitted).
                    let admitted = seen.0 != 403 && !seen.1.starts_with("/login");
                    if allowed != admitted {
                        failures.push(format!("{what}: {who:?} (allowed: {allowed}) got {seen:?}"));
                    }
                }
                // An admin session opens no portal page.
                let seen = outcome(&admins[0].1, &app, method, route).await?;
                if seen.0 != 303 || seen.1.split('?').next() != Some("/login") {
                    failures.push(format!("{what}: an admin session got {seen:?}"));
                }
            }
        }
        assert!(failures.is_empty(), "{} access failures:\n{}", failures.len(), failures.join("\n"));
    }
}
