//! Issue 5's "done when": a secretariat member distributes seats on a work
//! location and invites a participant in the active election; the
//! participant signs in with MitID, opens the invitation and accepts; the
//! secretariat then sees the seat accepted.

use fantoccini::Locator;

use crate::steps::*;
use crate::support::*;

#[tokio::test]
async fn distribute_invite_accept() {
    if no_browser() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let demo = start_demo(dir.path());
    let base = demo.base.as_str();
    let (_driver, client) = start_browser().await;

    // Søren of the secretariat activates the election and adds a counter's seat for Socialdemokratiet.
    admin_signs_in(&client, &demo, "sekretariat").await;
    assert!(text(&client).await.contains("Søren Sekretær"));
    open_election(&client, &demo).await;
    activate_election(&client).await;
    let location = open_work_location(&client, "Korsbæk Skole").await;
    click(&client, Locator::LinkText("Fordel opgaver")).await;
    wait_for_text(&client, "Fordel opgaver på Korsbæk Skole").await;
    axe(&client, "Fordel opgaver").await;
    // The day after the election (the last row): Karen already works on election day.
    let cells = client.find_all(Locator::Css("input[aria-label^='Fintæller, Socialdemokratiet,']")).await.unwrap();
    let day_after = cells.last().expect("a Fintæller cell for Socialdemokratiet");
    assert_eq!(day_after.prop("value").await.unwrap().as_deref(), Some("0"));
    day_after.clear().await.unwrap();
    day_after.send_keys("1").await.unwrap();
    click(&client, Locator::Css("main form button[type='submit']")).await;
    let saved = wait_for_text(&client, "Opgaverne er fordelt").await;
    assert!(saved.contains("1 oprettet"), "{saved}");
    axe(&client, "the work location after distributing").await;

    // He invites Karen Testesen to the new seat ("Tildel").
    let filtered = filter_seats(&client, "Socialdemokratiet", "Fintæller").await;
    let seats = text(&client).await;
    assert!(seats.contains("Opgaver (1)") && seats.contains("Ledig"), "{seats}");
    click(&client, Locator::Css("a[href$='/assign']")).await;
    wait_for_text(&client, "Tildel opgave").await;
    axe(&client, "Tildel opgave").await;
    type_into(&client, "input#q", "Karen").await;
    click(&client, Locator::Css("form[role='search'] button")).await;
    wait_for_text(&client, "Deltagere der passer til").await;
    axe(&client, "Tildel opgave with search results").await;
    click(&client, Locator::Css("button[aria-label='Invitér Karen Testesen']")).await;
    wait_for_text(&client, "Deltageren er inviteret til opgaven").await;
    assert!(client.current_url().await.unwrap().as_str().starts_with(&location));
    axe(&client, "the work location after inviting").await;
    client.goto(&filtered).await.unwrap();
    let seats = wait_for_text(&client, "Opgaver (1)").await;
    assert!(seats.contains("Ubesvaret") && seats.contains("Karen Testesen"), "{seats}");

    // Karen signs in with MitID and finds the invitation among her tasks; its
    // address is the one her message carries (the Digital Post simulator keeps no letter text).
    citizen_signs_in(&client, &demo, "karen").await;
    let mine = text(&client).await;
    assert!(mine.contains("Inviteret – mangler dit svar") && mine.contains("Fintæller"), "{mine}");
    let accept = client.find(Locator::Css("form[action$='/accepter']")).await.expect("an open invitation");
    let action = accept.attr("action").await.unwrap().unwrap();
    let invitation = action.trim_end_matches("/accepter");
    assert!(invitation.starts_with("/opgaver/invitation/"), "{invitation}");

    // Signed out, she opens the invitation as its message links to it, signs in on the way and says yes.
    citizen_signs_out(&client, &demo).await;
    client.goto(&format!("{base}{invitation}")).await.unwrap();
    let page = wait_for_text(&client, "Du er inviteret til en opgave").await;
    assert!(page.contains("Korsbæk Skole") && page.contains("Fintæller"), "{page}");
    axe(&client, "the invitation page, signed out").await;
    click(&client, Locator::Css("main a[href^='/login?next=']")).await;
    pick(&client, &demo.idp, "karen").await;
    wait_for_url(&client, &format!("{base}{invitation}")).await;
    wait_for_text(&client, "Du er inviteret til en opgave").await;
    axe(&client, "the invitation page, signed in").await;
    click(&client, Locator::Css(&format!("form[action='{invitation}/accepter'] button"))).await;
    let done = wait_for_text(&client, "Tak – du har sagt ja").await;
    assert!(done.contains("Fintæller"), "{done}");
    axe(&client, "the accepted invitation").await;
    client.goto(&format!("{base}/mine-opgaver")).await.unwrap();
    let mine = text(&client).await;
    assert!(!mine.contains("Inviteret – mangler dit svar"), "{mine}");
    axe(&client, "/mine-opgaver after accepting").await;

    // Søren sees the seat accepted by Karen.
    client.goto(&filtered).await.unwrap();
    let seats = wait_for_text(&client, "Opgaver (1)").await;
    assert!(seats.contains("Tilmeldt") && seats.contains("Karen Testesen") && !seats.contains("Ubesvaret"), "{seats}");
    axe(&client, "the work location after the answer").await;

    client.close().await.unwrap();
}
