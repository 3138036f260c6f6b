//! An owned, read-only copy of a parsed XML tree.
//!
//! [`crate::saml::xmlsec`] builds it from the very DOM that `xml-sec` parsed and
//! verified (never from a second parse), so protocol code can read values without
//! naming `xml-sec` types. Each element keeps its `ID` attribute, which is how
//! protocol code names an element when it asks for a signature check.

/// One element: expanded name, unqualified attributes, child elements and the
/// concatenation of its direct text children.
#[derive(Clone)]
pub(crate) struct Element {
    pub(crate) namespace: Option<String>,
    pub(crate) name: String,
    /// `(namespace, local name, value)`; namespace declarations are not attributes.
    pub(crate) attributes: Vec<(Option<String>, String, String)>,
    pub(crate) children: Vec<Element>,
    /// All direct text (and CDATA) children joined. Comments are not text, so
    /// `alice<!---->@evil` reads as `alice@evil`, never as a truncated `alice`.
    pub(crate) text: String,
}

impl Element {
    pub(crate) fn is(&self, namespace: &str, name: &str) -> bool {
        self.name == name && self.namespace.as_deref() == Some(namespace)
    }

    /// An attribute without namespace (all SAML protocol attributes are such).
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(ns, local, _)| ns.is_none() && local == name).map(|(_, _, value)| value.as_str())
    }

    /// A namespace-qualified attribute, e.g. `xsi:type`.
    #[allow(dead_code)]
    pub(crate) fn attr_ns(&self, namespace: &str, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(ns, local, _)| ns.as_deref() == Some(namespace) && local == name)
            .map(|(_, _, value)| value.as_str())
    }

    pub(crate) fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter()
    }

    pub(crate) fn children_named<'a>(
        &'a self,
        namespace: &'a str,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.is(namespace, name))
    }

    /// The first child with this name.
    pub(crate) fn child<'a>(&'a self, namespace: &'a str, name: &'a str) -> Option<&'a Element> {
        self.children_named(namespace, name).next()
    }

    /// The child with this name if there is at most one; `Err(())` if several.
    pub(crate) fn only_child<'a>(&'a self, namespace: &'a str, name: &'a str) -> Result<Option<&'a Element>, ()> {
        let mut iter = self.children_named(namespace, name);
        let first = iter.next();
        if iter.next().is_some() {
            return Err(());
        }
        Ok(first)
    }

    /// Direct text, trimmed of XML whitespace.
    pub(crate) fn trimmed_text(&self) -> &str {
        self.text.trim_matches(|c: char| matches!(c, ' ' | '\t' | '\r' | '\n'))
    }

    /// Every descendant element (not `self`), in document order.
    pub(crate) fn descendants(&self) -> Descendants<'_> {
        Descendants { stack: self.children.iter().rev().collect() }
    }

    /// How many descendant elements have this name.
    pub(crate) fn count_descendants(&self, namespace: &str, name: &str) -> usize {
        self.descendants().filter(|e| e.is(namespace, name)).count()
    }
}

pub(crate) struct Descendants<'a> {
    stack: Vec<&'a Element>,
}

impl<'a> Iterator for Descendants<'a> {
    type Item = &'a Element;

    fn next(&mut self) -> Option<&'a Element> {
        let next = self.stack.pop()?;
        self.stack.extend(next.children.iter().rev());
        Some(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(name: &str, children: Vec<Element>) -> Element {
        Element {
            namespace: Some("urn:x".into()),
            name: name.into(),
            attributes: vec![(None, "ID".into(), format!("id-{name}"))],
            children,
            text: String::new(),
        }
    }

    #[test]
    fn descendants_are_in_document_order() {
        let tree = el("a", vec![el("b", vec![el("c", vec![])]), el("d", vec![])]);
        let names: Vec<_> = tree.descendants().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["b", "c", "d"]);
        assert_eq!(tree.count_descendants("urn:x", "c"), 1);
        assert_eq!(tree.attr("ID"), Some("id-a"));
    }

    #[test]
    fn only_child_refuses_duplicates() {
        let tree = el("a", vec![el("b", vec![]), el("b", vec![])]);
        assert!(tree.only_child("urn:x", "b").is_err());
        assert!(tree.only_child("urn:x", "z").unwrap().is_none());
    }
}
