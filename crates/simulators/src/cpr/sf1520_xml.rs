//! SF1520 documents built as strings from integrations reference §1.4 (PersonLookupResponse)
//! and §1.7 (SOAP 1.1 fault with `ServiceplatformFault`). Element order follows the field
//! inventory of §1.4, which is the schema's sequence.

use chrono::NaiveDate;

use super::persons::{Address, Person};
use crate::xml::escape;

pub(crate) const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub(crate) const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";
pub(crate) const PBDE: &str = "http://serviceplatformen.dk/xml/wsdl/soap11/CPR/PersonBaseDataExtended/5/";
pub(crate) const AUTCTX: &str = "http://serviceplatformen.dk/xml/schemas/AuthorityContext/1/";
pub(crate) const CALLCTX: &str = "http://serviceplatformen.dk/xml/schemas/CallContext/1/";
pub(crate) const INVCTX: &str = "http://serviceplatformen.dk/xml/schemas/InvocationContext/1/";
pub(crate) const PNR: &str = "http://serviceplatformen.dk/xml/schemas/cpr/PNR/1/";
pub(crate) const SPF: &str = "http://serviceplatformen.dk/xml/schemas/ServiceplatformFault/1/";
/// Used by the `wrong_namespace` malformation: the previous version of the service.
const PBDE_V4: &str = "http://serviceplatformen.dk/xml/wsdl/soap11/CPR/PersonBaseDataExtended/4/";

/// How the answer is spelled. `drift` exercises what a namespace-aware, schema-faithful client
/// must accept anyway: a default namespace instead of a prefix, zero-padded codes, booleans
/// as `1`/`0` and dates with a time-zone suffix (all legal for the XSD types).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Style {
    pub drift: bool,
}

struct W {
    out: String,
    pfx: &'static str,
    style: Style,
}

impl W {
    fn open(&mut self, name: &str) {
        self.out.push_str(&format!("<{}{name}>", self.pfx));
    }
    fn close(&mut self, name: &str) {
        self.out.push_str(&format!("</{}{name}>", self.pfx));
    }
    fn text(&mut self, name: &str, value: &str) {
        let p = self.pfx;
        self.out.push_str(&format!("<{p}{name}>{}</{p}{name}>", escape(value)));
    }
    fn opt(&mut self, name: &str, value: Option<&str>) {
        if let Some(v) = value {
            self.text(name, v);
        }
    }
    fn date(&mut self, name: &str, value: Option<NaiveDate>) {
        if let Some(d) = value {
            let text = if self.style.drift { format!("{d}+01:00") } else { d.to_string() };
            self.text(name, &text);
        }
    }
    fn boolean(&mut self, name: &str, value: bool) {
        let text = match (self.style.drift, value) {
            (true, true) => "1",
            (true, false) => "0",
            (false, true) => "true",
            (false, false) => "false",
        };
        self.text(name, text);
    }
    /// Municipality and road codes: the real service drops leading zeros (reference §1.4).
    fn code(&mut self, name: &str, code: &str) {
        let text = if self.style.drift { code.to_owned() } else { strip_zeros(code) };
        self.text(name, &text);
    }
}

fn strip_zeros(code: &str) -> String {
    let s = code.trim_start_matches('0');
    if s.is_empty() { "0".into() } else { s.into() }
}

fn envelope(body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><S:Envelope xmlns:S=\"{SOAP11}\"><S:Body>{body}</S:Body></S:Envelope>"
    )
}

/// The whole response envelope for `p` as of `today`.
pub(crate) fn lookup_response(p: &Person, today: NaiveDate, style: Style) -> String {
    let (pfx, decl) =
        if style.drift { ("", format!("xmlns=\"{PBDE}\"")) } else { ("ns2:", format!("xmlns:ns2=\"{PBDE}\"")) };
    let mut w = W { out: String::with_capacity(4096), pfx, style };
    w.out.push_str(&format!("<{pfx}PersonLookupResponse {decl}>"));
    persondata(&mut w, p, today);
    adresse(&mut w, p);
    w.close("PersonLookupResponse");
    envelope(&w.out)
}

fn persondata(w: &mut W, p: &Person, today: NaiveDate) {
    w.open("persondata");
    w.text("personnummer", &p.pnr);
    w.text("gaeldendePersonnummer", p.current_pnr.as_deref().unwrap_or(&p.pnr));
    w.open("navn");
    w.text("personadresseringsnavn", &p.addressing_name());
    w.text("fornavn", &p.first_name);
    w.opt("mellemnavn", p.middle_name.as_deref());
    w.text("efternavn", &p.last_name);
    w.date("navnestartdato", p.name_since);
    w.close("navn");
    w.open("foedselsdato");
    w.date("dato", Some(p.birth_date()));
    w.boolean("usikkerhedsmarkering", false);
    w.close("foedselsdato");
    // The dead stop ageing: their age is the one they reached.
    let age_day = if p.status == 90 { p.status_date.map_or(today, |d| d.min(today)) } else { today };
    w.text("alder", &p.age_on(age_day).to_string());
    w.text("koen", p.sex());
    w.opt("stilling", p.occupation.as_deref());
    w.open("status");
    w.text("status", &p.status.to_string());
    w.date("statusdato", p.status_date);
    w.close("status");
    w.open("civilstand");
    w.text("civilstand", &p.civil_status);
    w.date("civilstandsdato", p.civil_status_since);
    w.close("civilstand");
    w.open("statsborgerskab");
    w.text("landekode", &p.citizenship);
    w.date("statsborgerskabDato", p.citizenship_since);
    w.opt("landekodeMyndighedsnavn", p.citizenship_name.as_deref());
    w.close("statsborgerskab");
    if let Some(g) = &p.guardianship {
        w.open("umyndiggoerelse");
        if g.active {
            w.text("umyndiggorelseRelationType", &g.relation_type.to_string());
            w.opt("relationPersonnummer", g.guardian_pnr.as_deref());
            w.date("relationStartdato", g.start);
            w.opt("relationVaergenavn", g.guardian_name.as_deref());
            w.date("umyndiggoerelseStartdato", g.start);
            w.date("umyndiggoerelseSlettedato", g.end);
        }
        w.boolean("umyndiggjort", g.in_force(today));
        for (i, line) in g.guardian_address.iter().enumerate() {
            w.text(&format!("relationtekst{}", i + 1), line);
        }
        w.close("umyndiggoerelse");
    }
    if p.status == 70 {
        w.date("forsvindingsdato", p.disappeared_on.or(p.status_date));
    }
    if let Some(prot) = &p.protection {
        w.open("adressebeskyttelse");
        w.date("startdato", prot.start);
        w.date("slutdato", prot.end);
        w.boolean("beskyttet", prot.in_force(today));
        w.close("adressebeskyttelse");
    }
    if let Some(b) = p.nemsms {
        w.boolean("tilmeldtNemsms", b);
    }
    if let Some(b) = p.digital_post {
        w.boolean("tilmeldtDigitalpost", b);
    }
    w.close("persondata");
}

fn adresse(w: &mut W, p: &Person) {
    if p.address.is_none() && p.emigration.is_none() && p.contact_address.is_empty() {
        return; // the `adresse` element is absent entirely (dead, status 20/30/50/60)
    }
    w.open("adresse");
    if let Some(a) = &p.address {
        aktuel_adresse(w, p, a);
    }
    if let Some(e) = &p.emigration {
        w.open("udrejseoplysninger");
        w.text("udrejselandekode", &e.country_code);
        w.opt("udrejselandekodeMyndighedsnavn", e.country_name.as_deref());
        w.date("udrejsedato", Some(e.date));
        for (i, line) in e.lines.iter().enumerate() {
            w.text(&format!("udlandsadresse{}", i + 1), line);
        }
        w.close("udrejseoplysninger");
    }
    if !p.contact_address.is_empty() {
        w.open("kontaktAdresse");
        for (i, line) in p.contact_address.iter().enumerate() {
            w.text(&format!("kontaktAdr{}", i + 1), line);
        }
        w.close("kontaktAdresse");
    }
    w.close("adresse");
}

fn aktuel_adresse(w: &mut W, p: &Person, a: &Address) {
    w.open("aktuelAdresse");
    w.opt("kommuneCvr", a.municipality_cvr.as_deref());
    w.code("kommunekode", &a.municipality_code);
    w.code("vejkode", &a.road_code);
    w.text("husnummer", &a.house_number);
    w.opt("etage", a.floor.as_deref());
    w.opt("sidedoer", a.door.as_deref());
    w.opt("conavn", a.co_name.as_deref());
    w.opt("lokalitet", a.locality.as_deref());
    w.opt("bynavn", a.town.as_deref());
    w.text("postnummer", &a.postal_code);
    w.text("postdistrikt", &a.postal_district);
    w.text("vejnavn", &a.street);
    w.text("standardadresse", &a.standard_address());
    w.text("adresseringsnavn", &p.addressing_name());
    w.text("vejadresseringsnavn", &a.street_addressing_name());
    w.date("tilflytningsdato", a.moved_in);
    w.open("distrikter");
    w.text("postnummer", &a.postal_code);
    w.text("postdistrikt", &a.postal_district);
    w.opt("valgdistriktKode", a.polling_district_code.as_deref());
    w.opt("valgdistrikt", a.polling_district.as_deref());
    w.close("distrikter");
    w.opt("AdresseUUID", a.address_uuid.as_deref());
    w.close("aktuelAdresse");
}

/// A SOAP 1.1 fault (reference §1.7): `faultcode` is `S:Client`, `S:Server` or
/// `S:VersionMismatch`; `detail` carries the Serviceplatform error list.
pub(crate) fn fault(faultcode: &str, faultstring: &str, error_code: &str, error_text: &str) -> String {
    envelope(&format!(
        "<S:Fault><faultcode>S:{faultcode}</faultcode><faultstring>{}</faultstring><detail>\
         <spf:ServiceplatformFault xmlns:spf=\"{SPF}\"><spf:ErrorList><spf:Error>\
         <spf:ErrorCode>{}</spf:ErrorCode><spf:ErrorText>{}</spf:ErrorText>\
         </spf:Error></spf:ErrorList></spf:ServiceplatformFault></detail></S:Fault>",
        escape(faultstring),
        escape(error_code),
        escape(error_text)
    ))
}

/// A broken variant of a good answer (`malformed` fault).
pub(crate) fn malformed(good: &str, variant: &str) -> String {
    match variant {
        "wrong_namespace" => good.replace(PBDE, PBDE_V4),
        "not_xml" => "Internal error: java.lang.NullPointerException".into(),
        "empty_body" => envelope(""),
        _ => super::faults::truncate(good),
    }
}
