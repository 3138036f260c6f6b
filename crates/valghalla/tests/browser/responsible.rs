//! A team responsible removes a member from the team under "Mine hold"; the
//! member's seat is free again in the admin app, and she stays a participant.

use fantoccini::Locator;

use crate::steps::*;
use crate::support::*;

#[tokio::test]
async fn team_responsible_removes_a_member() {
    if no_browser() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let demo = start_demo(dir.path());
    let base = demo.base.as_str();
    let (_driver, client) = start_browser().await;

    // The secretariat's view of Socialdemokratiet's election officers and assistants at Korsbæk Skole.
    admin_signs_in(&client, &demo, "sekretariat").await;
    open_election(&client, &demo).await;
    open_work_location(&client, "Korsbæk Skole").await;
    choose(&client, "select#team", "Socialdemokratiet").await;
    click(&client, Locator::Css("form[role='search'] button[type='submit']")).await;
    let seats_url = wait_for_url_containing(&client, "team=").await;
    let before = text(&client).await;
    axe(&client, "Socialdemokratiet's seats at Korsbæk Skole").await;
    assert!(before.contains("Karen Testesen"), "{before}");
    let free_before = before.matches("Ledig").count();

    // Mads Peter, the team's responsible, removes Karen under "Mine hold".
    citizen_signs_in(&client, &demo, "mads").await;
    click(&client, Locator::LinkText("Mine hold")).await;
    wait_for_url(&client, &format!("{base}/mine-hold")).await;
    let team = wait_for_text(&client, "Karen Testesen").await;
    assert!(team.contains("Socialdemokratiet") && team.contains("Har 1 opgave"), "{team}");
    axe(&client, "/mine-hold").await;
    click(&client, Locator::LinkText("Fjern Karen Testesen fra holdet")).await;
    let confirm = wait_for_text(&client, "Fjern Karen Testesen fra Socialdemokratiet?").await;
    assert!(confirm.contains("1 kommende opgave"), "{confirm}");
    axe(&client, "the removal's confirmation page").await;
    click(&client, Locator::XPath("//button[normalize-space(.)='Fjern fra holdet']")).await;
    let after = wait_for_text(&client, "Karen Testesen er fjernet fra holdet").await;
    assert!(!after.contains("Fjern Karen Testesen fra holdet"), "Karen is still listed: {after}");
    axe(&client, "/mine-hold after removing a member").await;

    // Her seat is free again, not gone; she is still a participant, without the team.
    client.goto(&seats_url).await.unwrap();
    let seats = wait_for_text(&client, "Opgaver (").await;
    assert!(!seats.contains("Karen Testesen"), "{seats}");
    assert_eq!(seats.matches("Ledig").count(), free_before + 1, "{seats}");
    axe(&client, "Socialdemokratiet's seats after the removal").await;
    client.goto(&format!("{base}/admin/participants?q=Testesen")).await.unwrap();
    wait_for_text(&client, "1 deltager(e)").await;
    let row = client.find(Locator::XPath("//tbody/tr[.//a[normalize-space(.)='Karen Testesen']]")).await.unwrap();
    let row = row.text().await.unwrap();
    assert!(!row.contains("Socialdemokratiet"), "{row}");
    axe(&client, "the participant list").await;

    client.close().await.unwrap();
}
