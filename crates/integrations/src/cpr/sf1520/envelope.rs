//! The SOAP 1.1 request of `PersonLookup` (reference integrations.md §1.2-1.3).

use domain::{CprNumber, Cvr};

pub(crate) const SOAP_ENV: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub(crate) const PBDE: &str = "http://serviceplatformen.dk/xml/wsdl/soap11/CPR/PersonBaseDataExtended/5/";
pub(crate) const AUTHORITY_CONTEXT: &str = "http://serviceplatformen.dk/xml/schemas/AuthorityContext/1/";
pub(crate) const PNR: &str = "http://serviceplatformen.dk/xml/schemas/cpr/PNR/1/";

/// The `SOAPAction` header value, quotes included as SOAP 1.1 writes it.
pub const SOAP_ACTION: &str =
    "\"http://serviceplatformen.dk/xml/wsdl/soap11/CPR/PersonBaseDataExtended/5/PersonLookup\"";

pub const CONTENT_TYPE: &str = "text/xml; charset=utf-8";

/// `PersonLookupRequest` naming the municipality (AuthorityContext) and the
/// person (PNR), in the schema's order. Both values are digits only (checked
/// by their types), so nothing needs escaping.
pub(crate) fn person_lookup(municipality_cvr: &Cvr, cpr: &CprNumber) -> String {
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
            r#"<soap:Envelope xmlns:soap="{soap}">"#,
            r#"<soap:Body>"#,
            r#"<pbde:PersonLookupRequest xmlns:pbde="{pbde}" xmlns:autctx="{autctx}" xmlns:pnr="{pnr}">"#,
            r#"<autctx:AuthorityContext>"#,
            r#"<autctx:MunicipalityCVR>{cvr}</autctx:MunicipalityCVR>"#,
            r#"</autctx:AuthorityContext>"#,
            r#"<pnr:PNR>{cpr}</pnr:PNR>"#,
            r#"</pbde:PersonLookupRequest>"#,
            r#"</soap:Body>"#,
            r#"</soap:Envelope>"#,
        ),
        soap = SOAP_ENV,
        pbde = PBDE,
        autctx = AUTHORITY_CONTEXT,
        pnr = PNR,
        cvr = municipality_cvr.as_str(),
        cpr = cpr.expose(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml;

    #[test]
    fn request_has_the_reference_shape() {
        let cvr = Cvr::parse("29189846").unwrap();
        let cpr = CprNumber::parse("0101701234").unwrap();
        let root = xml::parse(&person_lookup(&cvr, &cpr)).unwrap();
        assert!(root.is(SOAP_ENV, "Envelope"));
        let request = root.path(&["Body", "PersonLookupRequest"]).unwrap();
        assert!(request.is(PBDE, "PersonLookupRequest"));
        let names: Vec<_> = request.children.iter().map(|c| (c.ns.as_deref().unwrap(), c.name.as_str())).collect();
        assert_eq!(names, [(AUTHORITY_CONTEXT, "AuthorityContext"), (PNR, "PNR")]);
        let cvr_element = request.path(&["AuthorityContext", "MunicipalityCVR"]).unwrap();
        assert!(cvr_element.is(AUTHORITY_CONTEXT, "MunicipalityCVR"));
        assert_eq!(cvr_element.text(), Some("29189846"));
        assert_eq!(request.text_at(&["PNR"]), Some("0101701234"));
    }
}
