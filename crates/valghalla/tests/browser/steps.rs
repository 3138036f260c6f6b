//! Steps the participant-journey tests share: signing in and out on either
//! side, finding the demo election and a work location, filling a form the
//! way a person would. Every page a step lands on is checked with axe-core.

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};

use crate::support::*;

/// An admin signs in through the simulated FK Adgangsstyring and lands on the admin home page.
pub async fn admin_signs_in(client: &Client, demo: &Demo, user: &str) {
    client.goto(&format!("{}/admin/login", demo.base)).await.unwrap();
    axe(client, "/admin/login").await;
    click(client, Locator::LinkText("Log ind med FK Adgangsstyring")).await;
    pick(client, &demo.idp, user).await;
    wait_for_url(client, &format!("{}/admin", demo.base)).await;
    // The answer passes through /admin/saml/acs first; the menu means the home page is there.
    client
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::LinkText("Valg"))
        .await
        .expect("the admin menu");
    axe(client, "/admin").await;
}

/// A citizen signs in with MitID from the portal's front page and lands on "Mine opgaver".
pub async fn citizen_signs_in(client: &Client, demo: &Demo, user: &str) {
    client.goto(&format!("{}/", demo.base)).await.unwrap();
    axe(client, "the portal front page").await;
    click(client, Locator::Css("main a[href='/login']")).await;
    pick(client, &demo.idp, user).await;
    wait_for_url(client, &format!("{}/mine-opgaver", demo.base)).await;
    axe(client, "/mine-opgaver").await;
}

/// "Log ud" in the portal header: the session ends here and at NemLog-in.
pub async fn citizen_signs_out(client: &Client, demo: &Demo) {
    click(client, Locator::Css("header form[action='/logout'] button")).await;
    wait_for_url(client, &format!("{}/?logget-ud", demo.base)).await;
    axe(client, "the portal front page after signing out").await;
}

/// From the admin home page to the demo election's page; returns its URL.
pub async fn open_election(client: &Client, demo: &Demo) -> String {
    click(client, Locator::LinkText("Valg")).await;
    wait_for_url(client, &format!("{}/admin/elections", demo.base)).await;
    axe(client, "/admin/elections").await;
    click(client, Locator::Css("tbody th a[href^='/admin/elections/']")).await;
    let url = wait_for_url(client, &format!("{}/admin/elections/", demo.base)).await;
    wait_for_text(client, "Opgaveperiode").await;
    axe(client, "the election page").await;
    url
}

/// From the election page to one of its work locations; returns its URL.
pub async fn open_work_location(client: &Client, title: &str) -> String {
    click(client, Locator::LinkText(title)).await;
    wait_for_text(client, "Fordel opgaver").await;
    axe(client, "the work location's seats").await;
    client.current_url().await.unwrap().to_string()
}

/// Shows only one team's seats of one task type on the work location page;
/// returns the filtered page's URL.
pub async fn filter_seats(client: &Client, team: &str, task_type: &str) -> String {
    choose(client, "select#team", team).await;
    choose(client, "select#task_type", task_type).await;
    click(client, Locator::Css("form[role='search'] button[type='submit']")).await;
    let url = wait_for_url_containing(client, "task_type=").await;
    axe(client, "the work location's seats, filtered").await;
    url
}

/// Activates the election from its page, through the confirmation page.
pub async fn activate_election(client: &Client) {
    click(client, Locator::LinkText("Aktivér")).await;
    wait_for_text(client, "Andre aktive valg påvirkes ikke").await;
    axe(client, "the activation's confirmation page").await;
    click(client, Locator::Css("main form button[type='submit']")).await;
    wait_for_text(client, "er aktiveret").await;
    axe(client, "the election page after activation").await;
}

pub async fn choose(client: &Client, select: &str, label: &str) {
    let element = client.find(Locator::Css(select)).await.unwrap_or_else(|e| panic!("{select}: {e}"));
    element.select_by_label(label).await.unwrap_or_else(|e| panic!("{select} has no option {label}: {e}"));
}

/// Types `value` into the field with the given CSS selector, replacing what it had.
pub async fn type_into(client: &Client, field: &str, value: &str) {
    let element = client.find(Locator::Css(field)).await.unwrap_or_else(|e| panic!("{field}: {e}"));
    element.clear().await.expect("clear");
    element.send_keys(value).await.expect("type");
}

/// Fills every field of the form at `form` as a person signing up would: a
/// text, phone or e-mail field by what its name or type asks for, the first
/// choice of each select, "ja" of each yes/no, and every checkbox except the optional diets
/// (consents must be ticked; new ones may appear without this test knowing).
pub async fn fill_every_field(client: &Client, form: &str, mobile: &str, email: &str) {
    let form = client.find(Locator::Css(form)).await.expect("the form");
    for field in form.find_all(Locator::Css("input, select, textarea")).await.unwrap() {
        let kind = field.attr("type").await.unwrap().unwrap_or_default();
        let name = field.attr("name").await.unwrap().unwrap_or_default();
        let tag = field.tag_name().await.unwrap();
        if tag == "select" {
            if let Ok(option) = field.find(Locator::Css("option:not([value=''])")).await {
                option.click().await.unwrap();
            }
            continue;
        }
        let value = field.attr("value").await.unwrap().unwrap_or_default();
        match kind.as_str() {
            "hidden" | "submit" | "button" => {}
            "radio" if value == "ja" || value == "yes" => field.click().await.unwrap(),
            "radio" => {}
            "checkbox" if name == "diets" => {}
            "checkbox" if !field.is_selected().await.unwrap() => field.click().await.unwrap(),
            "checkbox" => {}
            "tel" => replace(&field, mobile).await,
            "email" => replace(&field, email).await,
            _ if name.contains("mobil") => replace(&field, mobile).await,
            _ if name.contains("mail") => replace(&field, email).await,
            _ => panic!("the form has a field this journey does not know how to fill: {tag} {kind} {name}"),
        }
    }
}

async fn replace(field: &fantoccini::elements::Element, value: &str) {
    field.clear().await.expect("clear");
    field.send_keys(value).await.expect("type");
}

/// Waits until the page's text contains `needle`; returns the text.
pub async fn wait_for_text(client: &Client, needle: &str) -> String {
    let started = Instant::now();
    loop {
        let page = text(client).await;
        if page.contains(needle) {
            return page;
        }
        assert!(started.elapsed() < Duration::from_secs(15), "waiting for {needle:?} on a page that says:\n{page}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub async fn wait_for_url_containing(client: &Client, part: &str) -> String {
    let started = Instant::now();
    loop {
        let url = client.current_url().await.expect("url").to_string();
        if url.contains(part) {
            return url;
        }
        assert!(started.elapsed() < Duration::from_secs(15), "still at {url}, waiting for {part}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
