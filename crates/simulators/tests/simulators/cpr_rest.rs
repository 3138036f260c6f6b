//! Datafordeleren CPR simulator against URLs and JSON paths of cpr-data.md B.1–B.3.

use serde_json::{Value, json};

use super::cpr::{client, pnr_of, start};

async fn get(url: &str) -> (u16, Value) {
    let resp = client().get(url).send().await.expect("answer");
    let status = resp.status().as_u16();
    let ct = resp.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    assert!(ct.starts_with("application/json"), "JSON answer, got {ct}");
    (status, serde_json::from_str(&resp.text().await.unwrap()).expect("JSON"))
}

/// `Personer[0].Person` of a lookup by `.eq` on the given method.
async fn person(base: &str, method: &str, label: &str) -> Value {
    let url =
        format!("{base}/CPR/CprPersonFullSimple/1/REST/{method}?pnr.personnummer.eq={}&format=json", pnr_of(label));
    let (status, doc) = get(&url).await;
    assert_eq!(status, 200, "{label}: {doc}");
    let list = doc["Personer"].as_array().expect("Personer list");
    assert_eq!(list.len(), 1, "{label}: {doc}");
    list[0]["Person"].clone()
}

/// The unwrapped elements of a wrapped list: `Navne: [{Navn: {…}}]` → `[{…}]`.
fn items<'a>(person: &'a Value, list: &str, wrapper: &str) -> Vec<&'a Value> {
    person[list].as_array().unwrap_or_else(|| panic!("{list} list")).iter().map(|w| &w[wrapper]).collect()
}

fn current<'a>(person: &'a Value, list: &str, wrapper: &str) -> Vec<&'a Value> {
    items(person, list, wrapper).into_iter().filter(|e| e["status"] == "aktuel").collect()
}

#[tokio::test]
async fn resident_here_by_every_accepted_spelling_of_the_query() {
    let (base, _sim) = start().await;
    for url in [
        format!("{base}/CPR/CprPersonFullSimple/1/REST/PersonFullListSimple?pnr.personnummer.eq=1205851236"),
        format!(
            "{base}/CPR/CprPersonFullSimple/1/rest/PersonFullListSimple?pnr.personnummer.wi=1205851236&format=json"
        ),
        format!("{base}/CPR/CprPersonFullSimple/1/REST/PersonFullCurrentListSimple?pnr=1205851236&page=1&pageSize=200"),
        format!("{base}/CPR/CprPersonMediumSimple/1/REST/PersonMediumListSimple?pnr.personnummer.eq=1205851236"),
    ] {
        let (status, doc) = get(&url).await;
        assert_eq!(status, 200, "{url}");
        let p = &doc["Personer"][0]["Person"];
        assert_eq!(p["status"], "bopael_i_danmark", "{url}");
        assert_eq!(p["foedselsdato"], "1985-05-12");
        assert_eq!(p["koen"], "kvinde");
        assert_eq!(current(p, "Personnumre", "Personnummer")[0]["personnummer"], "1205851236");
        let name = current(p, "Navne", "Navn")[0];
        assert_eq!((&name["fornavne"], &name["efternavn"]), (&json!("Karen"), &json!("Testesen")));
        let address = current(p, "Adresseoplysninger", "Adresseoplysninger")[0];
        let cpr = &address["CprAdresse"];
        assert_eq!(cpr["cprKommunekode"], "0999");
        assert_eq!(cpr["vejadresseringsnavn"], "Skolevej");
        assert_eq!(cpr["husnummer"], "12A");
        assert_eq!((&cpr["etage"], &cpr["sidedoer"]), (&json!("1"), &json!("tv")));
        assert_eq!((&cpr["postnummer"], &cpr["postdistrikt"]), (&json!("4999"), &json!("Korsbæk")));
        assert_eq!(current(p, "Statsborgerskaber", "Statsborgerskab")[0]["cprlandekode"], "5100");
        assert_eq!(current(p, "Civilstande", "Civilstand")[0]["Civilstandstype"], "gift");
        assert!(p["Beskyttelser"].as_array().unwrap().is_empty());
        assert!(p.get("tilmeldtDigitalpost").is_none(), "Digital Post is not CPR data on Datafordeleren");
    }
}

#[tokio::test]
async fn unknown_malformed_and_misaddressed_requests() {
    let (base, _sim) = start().await;
    let m = format!("{base}/CPR/CprPersonFullSimple/1/REST/PersonFullListSimple");
    let (status, doc) = get(&format!("{m}?pnr.personnummer.eq=0101010000")).await;
    assert_eq!((status, doc), (200, json!({ "Personer": [] })), "unknown PNR: an empty list");
    for bad in [
        "pnr.personnummer.eq=120585-1236",
        "pnr.personnummer.eq=12058512",
        "format=json",
        "pnr=1205851236&format=xml",
        "pnr=1205851236&pageSize=0",
    ] {
        let (status, doc) = get(&format!("{m}?{bad}")).await;
        assert_eq!(status, 400, "{bad}: {doc}");
        assert!(doc["message"].is_string());
    }
    for path in [
        "/CPR/CprPersonFullSimple/2/REST/PersonFullListSimple",
        "/CPR/CprPersonFullSimple/1/REST/PersonMediumListSimple",
        "/CPR/CprPrivatePNR/1/REST/PrivatePersonCurrentPNR",
    ] {
        assert_eq!(get(&format!("{base}{path}?pnr=1205851236")).await.0, 404, "{path}");
    }
}

#[tokio::test]
async fn current_methods_drop_history_the_others_keep_it() {
    let (base, _sim) = start().await;
    let all = person(&base, "PersonFullListSimple", "middle_name").await;
    let names = items(&all, "Navne", "Navn");
    assert_eq!(names.len(), 2);
    let old = names.iter().find(|n| n["status"] == "historisk").expect("a historisk name");
    assert_eq!(old["efternavn"], "Hansen");
    assert_eq!(current(&all, "Navne", "Navn")[0]["mellemnavn"], "Peter");
    let now = person(&base, "PersonFullCurrentListSimple", "middle_name").await;
    assert_eq!(items(&now, "Navne", "Navn").len(), 1);

    let moved = person(&base, "PersonFullListSimple", "other_municipality").await;
    let addresses = items(&moved, "Adresseoplysninger", "Adresseoplysninger");
    assert_eq!(addresses.len(), 2);
    let here = current(&moved, "Adresseoplysninger", "Adresseoplysninger")[0];
    assert_eq!(here["CprAdresse"]["cprKommunekode"], "0751");
    assert_eq!(here["fraflytningsKommunekode"], "0999", "moved away from Korsbæk");
    let moved_now = person(&base, "PersonFullCurrentListSimple", "other_municipality").await;
    assert_eq!(items(&moved_now, "Adresseoplysninger", "Adresseoplysninger").len(), 1);
}

#[tokio::test]
async fn the_personas_of_b3() {
    let (base, _sim) = start().await;
    let full = async |label: &str| person(&base, "PersonFullListSimple", label).await;

    let dead = full("dead").await;
    assert_eq!(dead["status"], "doed");
    assert!(dead["statusdato"].as_str().unwrap().starts_with("2025-10-03T00:00:00"));
    assert!(current(&dead, "Adresseoplysninger", "Adresseoplysninger").is_empty(), "no aktuel address");
    assert_eq!(items(&dead, "Adresseoplysninger", "Adresseoplysninger")[0]["status"], "historisk");
    assert_eq!(current(&dead, "Civilstande", "Civilstand")[0]["Civilstandstype"], "doed");
    let dead_now = person(&base, "PersonFullCurrentListSimple", "dead").await;
    assert!(dead_now["Adresseoplysninger"].as_array().unwrap().is_empty());

    let gone = full("disappeared").await;
    assert_eq!(gone["status"], "forsvundet");
    assert!(
        current(&gone, "Forsvindinger", "Forsvinding")[0]["virkningFra"].as_str().unwrap().starts_with("2023-02-01")
    );

    let emigrant = full("emigrated").await;
    assert_eq!(emigrant["status"], "udrejst");
    let trip = current(&emigrant, "UdrejseIndrejser", "UdrejseIndrejse")[0];
    assert_eq!(trip["cprLandekodeUdrejse"], "5110");
    assert_eq!(trip["Udenlandsadresse"]["adresselinie1"], "Storgata 5");
    assert_eq!(trip["Udenlandsadresse"]["adresselinie3"], "NORGE");

    let protected = full("protected").await;
    let b = current(&protected, "Beskyttelser", "Beskyttelse");
    assert_eq!(b[0]["beskyttelsestype"], "navne_og_adresse");
    assert!(b[0]["virkningTil"].is_null());
    let lapsed = full("protection_expired").await;
    let b = items(&lapsed, "Beskyttelser", "Beskyttelse");
    assert_eq!(b[0]["status"], "historisk");
    assert!(b[0]["virkningTil"].as_str().unwrap().starts_with("2021-01-01"));

    let ward = full("guardianship").await;
    assert_eq!(ward["Vaergemaal"]["vaergenavn"], "Bodil Værge");
    assert_eq!(ward["Vaergemaal"]["status"], "aktuel");

    let foreign = full("foreign").await;
    assert_eq!(current(&foreign, "Statsborgerskaber", "Statsborgerskab")[0]["cprlandekode"], "5120");

    let nobody = full("no_residence").await;
    assert_eq!(nobody["status"], "ej_bopael");
    assert!(current(&nobody, "Adresseoplysninger", "Adresseoplysninger").is_empty());
    assert_eq!(full("annulled").await["status"], "annulleret");
    assert_eq!(full("deleted").await["status"], "nedlagt_person");
    let changed = full("changed_pnr").await;
    assert_eq!(changed["status"], "nedlagt_person");
    assert_eq!(current(&changed, "Personnumre", "Personnummer")[0]["personnummer"], pnr_of("changed_pnr_new"));

    let aase = full("aeoeaa").await;
    assert_eq!(current(&aase, "Navne", "Navn")[0]["efternavn"], "Ørsted-Æbelø");
    assert_eq!(
        current(&aase, "Adresseoplysninger", "Adresseoplysninger")[0]["CprAdresse"]["vejadresseringsnavn"],
        "Ærøskøbingvej"
    );
}

#[tokio::test]
async fn several_pnrs_paging_and_count() {
    let (base, _sim) = start().await;
    let m = format!("{base}/CPR/CprPersonFullSimple/1/REST/PersonFullListSimple");
    let (_, doc) = get(&format!("{m}?pnr.personnummer.wi=1205851236,0302700517,0101010000&count=true")).await;
    assert_eq!(doc["Personer"].as_array().unwrap().len(), 2);
    assert_eq!(doc["count"], -1, "more than one hit");
    let (_, doc) = get(&format!("{m}?pnr.personnummer.eq=1205851236&count=true")).await;
    assert_eq!(doc["count"], 1);
    let (_, doc) = get(&format!("{m}?pnr.personnummer.wi=1205851236,0302700517&page=2&pageSize=1")).await;
    let list = doc["Personer"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["Person"]["Personnumre"][0]["Personnummer"]["personnummer"], "0302700517");
}

#[tokio::test]
async fn schema_drift_varies_keys_nulls_dates_and_padding() {
    let (base, _sim) = start().await;
    client().post(format!("{base}/__sim/faults")).json(&json!({ "kind": "schema_drift" })).send().await.unwrap();
    let p = person(&base, "PersonFullListSimple", "resident").await;
    assert_eq!(p["foedselsdato"], "1985-05-12T00:00:00+01:00");
    assert!(p.get("stilling").is_none(), "optional key dropped");
    let a = current(&p, "Adresseoplysninger", "Adresseoplysninger")[0];
    assert_eq!(a["virkningFra"], "2018-03-01", "a date, not a date-time");
    let cpr = &a["CprAdresse"];
    assert_eq!(cpr["cprkommunekode"], "0999");
    assert!(cpr.get("cprKommunekode").is_none());
    assert_eq!((&cpr["husnummer"], &cpr["etage"]), (&json!("012A"), &json!("01")));
    let name = current(&p, "Navne", "Navn")[0];
    assert!(name["mellemnavn"].is_null(), "null for an empty string");
}
