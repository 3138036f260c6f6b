//! Cancelling an accepted seat: before the lock period it works; inside it
//! the server refuses, even when the form was loaded while cancelling was
//! still allowed (the secretariat lengthens the lock period in between).

use fantoccini::Locator;

use crate::steps::*;
use crate::support::*;

#[tokio::test]
async fn cancel_before_the_lock_period_and_refused_inside_it() {
    if no_browser() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let demo = start_demo(dir.path());
    let base = demo.base.as_str();
    let (_driver, client) = start_browser().await;

    // Karen cancels her seat two months ahead: allowed.
    citizen_signs_in(&client, &demo, "karen").await;
    let mine = text(&client).await;
    assert!(mine.contains("Du har sagt ja") && mine.contains("Du kan afmelde dig til og med"), "{mine}");
    click(&client, Locator::Css("form[action$='/afmeld'] button")).await;
    wait_for_url(&client, &format!("{base}/mine-opgaver?afmeldt")).await;
    let after = wait_for_text(&client, "Du er afmeldt opgaven").await;
    assert!(after.contains("Du har ingen opgaver lige nu"), "{after}");
    axe(&client, "/mine-opgaver after cancelling").await;
    citizen_signs_out(&client, &demo).await;

    // Åse loads her tasks while she may still cancel …
    citizen_signs_in(&client, &demo, "aase").await;
    assert!(text(&client).await.contains("Du kan afmelde dig til og med"));
    let portal = client.window().await.unwrap();

    // … and meanwhile the secretariat makes the lock period a year long.
    let admin = client.new_window(false).await.unwrap().handle;
    client.switch_to_window(admin).await.unwrap();
    admin_signs_in(&client, &demo, "sekretariat").await;
    open_election(&client, &demo).await;
    click(&client, Locator::LinkText("Redigér")).await;
    wait_for_text(&client, "Låseperiode (dage)").await;
    axe(&client, "the election's edit form").await;
    type_into(&client, "input#lock_days", "365").await;
    click(&client, Locator::Css("main form.stacked button[type='submit']")).await;
    let saved = wait_for_text(&client, "365 dage før opgaven").await;
    assert!(!saved.contains("Valget er ikke gemt"), "{saved}");
    axe(&client, "the election page after editing").await;
    client.close_window().await.unwrap();

    // Her already loaded "Afmeld" is refused by the server, with the reason.
    client.switch_to_window(portal).await.unwrap();
    click(&client, Locator::Css("form[action$='/afmeld'] button")).await;
    let refused = wait_for_text(&client, "Du kan ikke længere afmelde dig opgaven").await;
    assert!(refused.contains("Kontakt kommunen"), "{refused}");
    assert!(client.find_all(Locator::Css("form[action$='/afmeld']")).await.unwrap().is_empty());
    axe(&client, "/mine-opgaver refusing to cancel").await;
    client.goto(&format!("{base}/mine-opgaver")).await.unwrap();
    let mine = text(&client).await;
    assert!(mine.contains("Du har sagt ja") && mine.contains("Fristen for at afmelde dig er overskredet"), "{mine}");
    axe(&client, "/mine-opgaver inside the lock period").await;

    client.close().await.unwrap();
}
