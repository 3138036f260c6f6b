//! The admin's sign-in through FK Adgangsstyring, the fallback to MitID when
//! FK is down, and a participant's sign-in through NemLog-in.

use fantoccini::Locator;
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn sign_in_and_fallback() {
    if no_browser() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let demo = start_demo(dir.path());
    let (base, idp) = (demo.base.as_str(), demo.idp.as_str());
    let (_driver, client) = start_browser().await;

    // 1. An admin signs in through the simulated FK Adgangsstyring and reaches the elections.
    client.goto(&format!("{base}/admin/login")).await.unwrap();
    axe(&client, "/admin/login").await;
    click(&client, Locator::LinkText("Log ind med FK Adgangsstyring")).await;
    pick(&client, idp, "admin").await;
    wait_for_url(&client, &format!("{base}/admin")).await;
    assert!(text(&client).await.contains("Anna Administrator"));
    axe(&client, "/admin").await;
    click(&client, Locator::LinkText("Valg")).await;
    wait_for_url(&client, &format!("{base}/admin/elections")).await;
    let elections = text(&client).await;
    assert!(elections.contains("Folketingsvalg"), "{elections}");
    axe(&client, "/admin/elections").await;

    // 3a. FK goes down while Anna is signed in; she switches the fallback on.
    sim(idp, "POST", "/__sim/faults", json!({ "kind": "down", "path": "/fk/" })).await;
    client.goto(&format!("{base}/admin/status")).await.unwrap();
    axe(&client, "/admin/status").await;
    click(&client, Locator::Css("form[action='/admin/status/fallback'] button")).await;
    wait_for_url(&client, &format!("{base}/admin/status")).await;
    assert!(text(&client).await.contains("Nødadgang er slået til"));
    axe(&client, "/admin/status (fallback on)").await;
    client.delete_all_cookies().await.unwrap();

    // 3b. With FK down, the sign-in page offers MitID; Anna gets her last FK role.
    client.goto(&format!("{base}/admin/login")).await.unwrap();
    axe(&client, "/admin/login (fallback on)").await;
    click(&client, Locator::LinkText("Log ind med FK Adgangsstyring")).await;
    wait_for_url(&client, idp).await;
    let down = text(&client).await;
    assert!(down.contains("midlertidigt utilgængelig"), "FK is down: {down}");
    client.goto(&format!("{base}/admin/login")).await.unwrap();
    click(&client, Locator::LinkText("Log ind med MitID (nødadgang)")).await;
    pick(&client, idp, "anna").await;
    wait_for_url(&client, &format!("{base}/admin")).await;
    let home = text(&client).await;
    assert!(
        home.contains("Anna Administrator") && home.contains("Administrator") && home.contains("Nødadgang"),
        "{home}"
    );
    axe(&client, "/admin (fallback session)").await;

    // 3c. She switches the fallback off; MitID then gives no admin access.
    client.goto(&format!("{base}/admin/status")).await.unwrap();
    click(&client, Locator::Css("form[action='/admin/status/fallback'] button")).await;
    wait_for_url(&client, &format!("{base}/admin/status")).await;
    assert!(text(&client).await.contains("Nødadgang er slået fra"));
    client.delete_all_cookies().await.unwrap();
    client.goto(&format!("{base}/admin/login")).await.unwrap();
    assert!(!text(&client).await.contains("nødadgang)"));
    client.goto(&format!("{base}/admin/saml/mitid/login")).await.unwrap();
    let refused = text(&client).await;
    assert!(refused.contains("Nødadgang er slået fra"), "{refused}");
    axe(&client, "the refusal page").await;
    sim(idp, "DELETE", "/__sim/faults", json!({})).await;

    // 2. A participant signs in through the simulated NemLog-in and reaches "Mine opgaver".
    client.delete_all_cookies().await.unwrap();
    client.goto(&format!("{base}/")).await.unwrap();
    axe(&client, "the portal front page").await;
    click(&client, Locator::Css("main a[href='/login']")).await;
    pick(&client, idp, "karen").await;
    wait_for_url(&client, &format!("{base}/mine-opgaver")).await;
    let tasks = text(&client).await;
    assert!(tasks.contains("Mine opgaver") && tasks.contains("Korsbæk Skole"), "{tasks}");
    axe(&client, "/mine-opgaver").await;

    client.close().await.unwrap();
}
