//! A small namespace-aware element tree over quick-xml, enough to read a SOAP
//! or REST answer (SF1520, SF1601): elements, their namespace and local name, their text. Attributes,
//! comments and processing instructions are not needed and are dropped.

use quick_xml::events::{BytesRef, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Element {
    pub ns: Option<String>,
    pub name: String,
    pub children: Vec<Element>,
    text: String,
}

/// Deeper documents are refused (a SOAP answer is a dozen levels deep).
const MAX_DEPTH: usize = 64;

impl Element {
    /// The element's text, trimmed; `None` when empty.
    pub fn text(&self) -> Option<&str> {
        let text = self.text.trim();
        (!text.is_empty()).then_some(text)
    }

    pub fn is(&self, ns: &str, name: &str) -> bool {
        self.ns.as_deref() == Some(ns) && self.name == name
    }

    /// The first child with this local name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Follows local names down the tree.
    pub fn path(&self, names: &[&str]) -> Option<&Element> {
        names.iter().try_fold(self, |element, name| element.child(name))
    }

    /// The trimmed, non-empty text at a path below this element.
    pub fn text_at(&self, names: &[&str]) -> Option<&str> {
        self.path(names).and_then(Element::text)
    }
}

/// Parses a whole document into its root element.
pub(crate) fn parse(text: &str) -> Result<Element, String> {
    let mut reader = NsReader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root = None;
    loop {
        let (ns, event) = match reader.read_resolved_event() {
            Ok((ResolveResult::Bound(ns), event)) => (Some(ns.as_ref().to_owned()), event),
            Ok((ResolveResult::Unbound, event)) => (None, event),
            Ok((ResolveResult::Unknown(prefix), _)) => {
                return Err(format!("undeclared namespace prefix {prefix}"));
            }
            Err(e) => {
                return Err(format!("XML error at byte {}: {e}", reader.error_position()));
            }
        };
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err("content after the root element".into());
            }
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err("document nested too deeply".into());
                }
                stack.push(element(ns, start.local_name().as_ref()));
            }
            Event::Empty(start) => {
                let empty = element(ns, start.local_name().as_ref());
                close(&mut stack, &mut root, empty);
            }
            Event::End(_) => {
                let done = stack.pop().ok_or("unbalanced end tag")?;
                close(&mut stack, &mut root, done);
            }
            Event::Text(text) => append(&mut stack, &text.xml10_content())?,
            Event::CData(data) => append(&mut stack, &data.xml10_content())?,
            Event::GeneralRef(reference) => append(&mut stack, &resolve(&reference)?)?,
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err("document ends inside an element".into());
    }
    root.ok_or_else(|| "empty document".into())
}

fn element(ns: Option<String>, name: &str) -> Element {
    Element { ns, name: name.to_owned(), children: Vec::new(), text: String::new() }
}

fn close(stack: &mut [Element], root: &mut Option<Element>, done: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(done),
        None => *root = Some(done),
    }
}

fn append(stack: &mut [Element], text: &str) -> Result<(), String> {
    match stack.last_mut() {
        Some(current) => current.text.push_str(text),
        None if text.trim().is_empty() => {}
        None => return Err("text outside the root element".into()),
    }
    Ok(())
}

fn resolve(reference: &BytesRef<'_>) -> Result<String, String> {
    if let Some(ch) = reference.resolve_char_ref().map_err(|e| e.to_string())? {
        return Ok(ch.to_string());
    }
    let name = reference.xml10_content();
    let ch = match name.as_ref() {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        other => return Err(format!("unknown entity &{other};")),
    };
    Ok(ch.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_namespaces_text_and_entities() {
        let doc = r#"<?xml version="1.0" encoding="UTF-8"?>
            <a:root xmlns:a="urn:a" xmlns="urn:default">
              <child>Søren &amp; Åse &#x41;</child>
              <a:empty/>
              <plain xmlns=""><![CDATA[x<y]]></plain>
            </a:root>"#;
        let root = parse(doc).unwrap();
        assert!(root.is("urn:a", "root"));
        let child = root.child("child").unwrap();
        assert_eq!(child.ns.as_deref(), Some("urn:default"));
        assert_eq!(child.text(), Some("Søren & Åse A"));
        assert_eq!(root.child("empty").unwrap().text(), None);
        let plain = root.child("plain").unwrap();
        assert_eq!(plain.ns, None);
        assert_eq!(plain.text(), Some("x<y"));
    }

    #[test]
    fn refuses_broken_documents() {
        for bad in ["", "<a><b></a>", "<a>", "<p:a/>", "<a/><b/>", "<a>&nbsp;</a>", "just text"] {
            assert!(parse(bad).is_err(), "{bad:?} should not parse");
        }
    }
}
