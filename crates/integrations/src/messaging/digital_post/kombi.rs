//! SF1601 `KombiPostAfsend_1/kombi` (reference §4.2): the un-namespaced
//! `kombi_request` wrapper around a MeMo, and the `kombi_response` answer.

use super::memo::Memo;
use crate::xml;

/// `kombi_request` choosing Digital Post (no physical-print fallback section:
/// the other channels are our fallback).
pub fn request(memo: &Memo) -> String {
    let mut xml = String::with_capacity(memo.xml.len() + 128);
    xml.push_str(r#"<?xml version="1.0" encoding="UTF-8"?><kombi_request><KombiValgKode>Digital Post</KombiValgKode>"#);
    xml.push_str(&memo.xml);
    xml.push_str("</kombi_request>");
    xml
}

/// What a 200 answer said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KombiResponse {
    pub result: bool,
    pub transmission_id: Option<String>,
    pub advis_text: Option<String>,
}

impl KombiResponse {
    /// Valghalla's rule: `Result=true` and the Advis text "received" (any case).
    pub fn accepted(&self) -> bool {
        self.result && self.advis_text.as_deref().is_some_and(|t| t.trim().eq_ignore_ascii_case("received"))
    }
}

/// Reads `kombi_response`; `None` when the body is not one.
pub fn response(body: &str) -> Option<KombiResponse> {
    let root = xml::parse(body).ok()?;
    if root.name != "kombi_response" {
        return None;
    }
    let result = root.text_at(&["Result"])?;
    Some(KombiResponse {
        result: result.eq_ignore_ascii_case("true"),
        transmission_id: root.text_at(&["TransmissionID"]).map(str::to_owned),
        advis_text: root
            .text_at(&["HovedoplysningerSvarREST", "SvarReaktion", "Advis", "AdvisTekst"])
            .map(str::to_owned),
    })
}
