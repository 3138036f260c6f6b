//! A citizen signs up through a team link: the secretariat creates the link
//! in the admin app, the citizen opens it, signs in with MitID, sees what
//! CPR says about her, fills in her contact data and consent (first
//! forgetting it), and ends as a participant of the team. With CPR down the
//! sign-up is provisional.

use fantoccini::{Client, Locator};
use serde_json::json;

use crate::steps::*;
use crate::support::*;

#[tokio::test]
async fn sign_up_through_a_team_link() {
    if no_browser() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let demo = start_demo(dir.path());
    let base = demo.base.as_str();
    let (_driver, client) = start_browser().await;

    // The secretariat creates a sign-up link for Venstre.
    let link = team_link(&client, &demo, "Venstre").await;

    // Nina Nyborg, not a participant yet, opens the link and signs in with MitID on the way.
    client.goto(&link).await.unwrap();
    pick(&client, &demo.idp, "nina").await;
    wait_for_url(&client, &link).await;
    let form = wait_for_text(&client, "Tilmeld dig Venstre").await;
    assert!(form.contains("Nina Nyborg") && form.contains("Engvej 9, 4999 Korsbæk"), "her CPR data: {form}");
    axe(&client, "the sign-up form").await;

    // Without consent nothing is saved, and the form says why next to the field.
    type_into(&client, "input[name='mobile']", "20304050").await;
    click(&client, Locator::Css("main form button[type='submit']")).await;
    let refused = wait_for_text(&client, "Du er ikke tilmeldt endnu").await;
    assert!(refused.contains("samtykke"), "{refused}");
    axe(&client, "the sign-up form with errors").await;

    // Every field filled, the privacy statement accepted: she is on the team.
    fill_every_field(&client, "main form", "20304050", "nina@example.dk").await;
    click(&client, Locator::Css("main form button[type='submit']")).await;
    let done = wait_for_text(&client, "Du er tilmeldt").await;
    assert!(done.contains("Du er nu med på holdet"), "{done}");
    axe(&client, "the sign-up result").await;
    click(&client, Locator::LinkText("Til Mine opgaver")).await;
    wait_for_url(&client, &format!("{base}/mine-opgaver")).await;
    assert!(text(&client).await.contains("Du har ingen opgaver lige nu"));
    axe(&client, "/mine-opgaver of a new participant").await;
    click(&client, Locator::LinkText("Min profil")).await;
    wait_for_text(&client, "Oplysninger fra CPR").await;
    let value = async |field: &str| client.find(Locator::Css(field)).await.unwrap().prop("value").await.unwrap();
    assert!(value("input#mobile").await.is_some_and(|mobile| mobile.ends_with("20304050")));
    assert_eq!(value("input#email").await.as_deref(), Some("nina@example.dk"));
    axe(&client, "/min-profil of a new participant").await;

    // The secretariat finds her among the participants, on Venstre, valid.
    client.goto(&format!("{base}/admin/participants?q=Nina")).await.unwrap();
    let found = wait_for_text(&client, "Nina Nyborg").await;
    assert!(found.contains("Venstre"), "{found}");
    axe(&client, "the participant list").await;

    client.close().await.unwrap();
}

/// CPR does not answer: Anna (whom CPR does not know either) signs up
/// provisionally, with the name MitID gave; a job checks her later.
#[tokio::test]
async fn provisional_sign_up_while_cpr_is_down() {
    if no_browser() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let demo = start_demo(dir.path());
    let base = demo.base.as_str();
    let (_driver, client) = start_browser().await;
    let link = team_link(&client, &demo, "Enhedslisten").await;

    sim(&demo.cpr, "POST", "/__sim/faults", json!({ "kind": "down" })).await;
    client.goto(&link).await.unwrap();
    pick(&client, &demo.idp, "anna").await;
    wait_for_url(&client, &link).await;
    wait_for_text(&client, "Tilmeld dig Enhedslisten").await;
    assert!(text(&client).await.contains("Du bliver tilmeldt foreløbigt"));
    axe(&client, "the sign-up form while CPR is down").await;
    fill_every_field(&client, "main form", "30405060", "anna.privat@example.dk").await;
    click(&client, Locator::Css("main form button[type='submit']")).await;
    wait_for_text(&client, "Du er nu med på holdet").await;
    axe(&client, "the provisional sign-up's result").await;

    client.goto(&format!("{base}/admin/participants?q=Administrator")).await.unwrap();
    wait_for_text(&client, "1 deltager(e)").await;
    let row = client.find(Locator::XPath("//tbody/tr[.//a[normalize-space(.)='Anna Administrator']]")).await.unwrap();
    let row = row.text().await.unwrap();
    assert!(row.contains("Enhedslisten") && row.contains("Foreløbig"), "{row}");
    axe(&client, "the participant list with a provisional participant").await;
    sim(&demo.cpr, "DELETE", "/__sim/faults", json!({})).await;

    client.close().await.unwrap();
}

/// The secretariat signs in and creates a sign-up link for `team`; returns it as shown.
async fn team_link(client: &Client, demo: &Demo, team: &str) -> String {
    admin_signs_in(client, demo, "sekretariat").await;
    open_election(client, demo).await;
    click(client, Locator::LinkText("Opgaver og fordeling")).await;
    wait_for_text(client, "Tilmeldingslinks").await;
    axe(client, "the election's task overview").await;
    click(client, Locator::LinkText("Tilmeldingslinks")).await;
    wait_for_text(client, "Opret holdlink").await;
    axe(client, "Tilmeldingslinks").await;
    choose(client, "select#team-link-team", team).await;
    click(client, Locator::XPath("//button[normalize-space(.)='Opret holdlink']")).await;
    wait_for_text(client, "Links (1)").await;
    axe(client, "Tilmeldingslinks with the new link").await;
    let shown = client.find(Locator::Css("tbody code")).await.unwrap().text().await.unwrap();
    // As copied: the demo's portal shares the admin app's origin.
    assert!(shown.starts_with(&format!("{}/tilmelding/hold/", demo.base)), "{shown}");
    shown
}
