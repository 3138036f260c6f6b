//! Small XML helpers of the simulators: escaping for string-built documents and a tiny
//! namespace-aware element tree (on quick-xml) for reading what clients send.
//!
//! Deliberately minimal: the simulators read a handful of fields from small, trusted-shape
//! documents. Document type declarations are refused outright (no entity games).

use std::borrow::Cow;

use quick_xml::XmlVersion;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

/// Escape text or an attribute value for a document built from strings.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// One element: its namespace URI, local name, attributes (by qualified name as written),
/// element children and concatenated direct text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Element {
    pub ns: Option<String>,
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn is(&self, ns: &str, name: &str) -> bool {
        self.ns.as_deref() == Some(ns) && self.name == name
    }

    /// First direct child with this namespace and local name.
    pub fn child(&self, ns: &str, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.is(ns, name))
    }

    pub fn children_named<'a>(&'a self, ns: &'a str, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.is(ns, name))
    }

    /// Every descendant (depth first, document order) with this namespace and local name.
    pub fn descendants(&self, ns: &str, name: &str) -> Vec<&Element> {
        let mut out = Vec::new();
        self.collect(ns, name, &mut out);
        out
    }

    fn collect<'a>(&'a self, ns: &str, name: &str, out: &mut Vec<&'a Element>) {
        for c in &self.children {
            if c.is(ns, name) {
                out.push(c);
            }
            c.collect(ns, name, out);
        }
    }

    /// Trimmed text of a direct child, if present.
    pub fn child_text(&self, ns: &str, name: &str) -> Option<String> {
        self.child(ns, name).map(|c| c.text.trim().to_owned())
    }
}

/// Parse a whole document into its root element.
pub fn parse(xml: &str) -> anyhow::Result<Element> {
    let mut reader = NsReader::from_str(xml);
    let mut stack: Vec<Element> = Vec::new();
    loop {
        let (resolved, event) = reader.read_resolved_event()?;
        let ns = match resolved {
            ResolveResult::Bound(ns) => Some(ns.as_ref().to_owned()),
            ResolveResult::Unbound => None,
            ResolveResult::Unknown(p) => anyhow::bail!("undeclared namespace prefix {p:?}"),
        };
        match event {
            Event::Start(e) => stack.push(element(ns, &e)?),
            Event::Empty(e) => {
                let el = element(ns, &e)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => return Ok(el),
                }
            }
            Event::End(_) => {
                let el = stack.pop().ok_or_else(|| anyhow::anyhow!("unbalanced end tag"))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => return Ok(el),
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref()? {
                    Some(c) => c,
                    None => match r.xml10_content().as_ref() {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        other => anyhow::bail!("unknown entity &{other};"),
                    },
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push(c);
                }
            }
            Event::DocType(_) => anyhow::bail!("document type declarations are not accepted"),
            Event::Eof => anyhow::bail!("document ended before its root element was closed"),
            _ => {}
        }
    }
}

fn element(ns: Option<String>, e: &quick_xml::events::BytesStart<'_>) -> anyhow::Result<Element> {
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a?;
        let key = a.key.as_ref().to_owned();
        let value = a.normalized_value(XmlVersion::Implicit1_0)?.into_owned();
        attrs.push((key, value));
    }
    let name = e.local_name().as_ref().to_owned();
    Ok(Element { ns, name, attrs, children: Vec::new(), text: String::new() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("a<b & \"c\"'"), "a&lt;b &amp; &quot;c&quot;&apos;");
        assert!(matches!(escape("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn parses_namespaces_text_and_entities() {
        let doc = parse(
            r#"<?xml version="1.0"?><p:A xmlns:p="urn:p" xmlns="urn:d" X="1 &amp; 2"><B>x &lt; y&#65;</B><p:C/></p:A>"#,
        )
        .unwrap();
        assert!(doc.is("urn:p", "A"));
        assert_eq!(doc.attr("X"), Some("1 & 2"));
        assert_eq!(doc.child_text("urn:d", "B").as_deref(), Some("x < yA"));
        assert!(doc.child("urn:p", "C").is_some());
    }

    #[test]
    fn refuses_doctype() {
        assert!(parse("<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>").is_err());
    }
}
