//! The table's own checks, and the scan of the portal's sources for texts
//! without English.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::*;

#[test]
fn english_falls_back_to_danish_for_unknown_texts() {
    assert_eq!(Lang::En.t("Mine opgaver"), "My tasks");
    assert_eq!(Lang::Da.t("Mine opgaver"), "Mine opgaver");
    assert_eq!(Lang::En.t("Korsbæk Skole"), "Korsbæk Skole");
}

#[test]
fn texts_with_values_are_filled_in_after_the_lookup() {
    let values = [("opgave", "Tilforordnet"), ("dato", "01-06-2027"), ("sted", "Korsbæk Skole")];
    assert_eq!(Lang::En.fill("{opgave} den {dato} på {sted}", values), "Tilforordnet on 01-06-2027 at Korsbæk Skole");
    assert_eq!(Lang::Da.fill("{opgave} den {dato} på {sted}", values), "Tilforordnet den 01-06-2027 på Korsbæk Skole");
    assert_eq!(Lang::En.t_or("Pladsen har ingen deltager", "Gem"), "The task has no participant");
    assert_eq!(Lang::En.t_or("Kan ikke afmelde, når pladsen har status »Ledig«", "Gem"), "Save");
    assert_eq!(Lang::Da.t_or("Noget andet", "Gem"), "Noget andet");
}

#[test]
fn no_text_is_in_the_table_twice_and_every_english_keeps_its_values() {
    let mut seen = HashSet::new();
    for (da, en) in TEXTS {
        assert!(seen.insert(*da), "twice in the table: {da}");
        assert_eq!(placeholders(da), placeholders(en), "values differ: {da} / {en}");
    }
}

/// Every literal the portal's templates and handlers look up (`.t("…")`,
/// `.fill("…", …)`, `.t_or(…, "…")`) or put on a page as its title,
/// heading or message must have English: a typo or a new text without a
/// line in the table fails here, not in front of a reader.
#[test]
fn every_text_the_portal_looks_up_has_english() {
    let mut missing = Vec::new();
    let mut found = 0;
    for file in portal_sources() {
        let source = std::fs::read_to_string(&file).expect("readable source");
        // Tests look up made-up texts on purpose.
        let source = source.split("#[cfg(test)]").next().unwrap_or_default();
        for text in looked_up(source) {
            found += 1;
            if english(&text).is_none() {
                missing.push(format!("{}: {text}", file.display()));
            }
        }
    }
    assert!(found > 100, "the scan finds the portal's texts ({found})");
    assert!(missing.is_empty(), "no English for:\n{}", missing.join("\n"));
}

/// The field messages of the parsers the portal's forms use.
#[test]
fn every_contact_field_error_has_english() {
    let mobile = ["", "12ab5678", "1234", "+1"].map(|m| domain::Mobile::parse(m).unwrap_err().to_string());
    let long = format!("{}@example.dk", "a".repeat(300));
    let email =
        ["", long.as_str(), "a b@x.dk", "ab", "@x.dk", "a@"].map(|e| domain::Email::parse(e).unwrap_err().to_string());
    let messages: HashSet<&String> = mobile.iter().chain(&email).collect();
    assert_eq!(messages.len(), 10, "one input per error: {messages:?}");
    for message in messages {
        assert!(english(message).is_some(), "no English for the field error {message:?}");
    }
}

#[test]
fn every_error_page_has_english() {
    let errors = [Error::NotFound, Error::UnknownHost, Error::Forbidden, Error::Internal(anyhow::anyhow!("x"))];
    for error in errors {
        let response = error.into_response();
        let text = response.extensions().get::<ErrorText>().expect("error text");
        assert!(english(text.title).is_some() && english(&text.message).is_some(), "{text:?}");
    }
}

fn placeholders(text: &str) -> Vec<&str> {
    let mut names: Vec<&str> =
        text.split('{').skip(1).filter_map(|rest| rest.split_once('}')).map(|(n, _)| n).collect();
    names.sort_unstable();
    names.dedup();
    names
}

fn portal_sources() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("templates/error.html"), root.join("src/error.rs")];
    for dir in ["templates/portal", "src/portal"] {
        for entry in std::fs::read_dir(root.join(dir)).expect("portal sources") {
            let path = entry.expect("entry").path();
            if path.is_file() {
                files.push(path);
            }
        }
    }
    files
}

/// The string literals passed to the lookups in `source`.
fn looked_up(source: &str) -> Vec<String> {
    let mut texts = Vec::new();
    for call in [".t(", ".fill(", ".t_or(", "title: ", "heading: ", "message: "] {
        for (at, _) in source.match_indices(call) {
            let rest = &source[at + call.len()..];
            // t_or's first argument is a value; its fallback is the literal.
            let rest = if call == ".t_or(" { rest.split_once(", ").map_or("", |(_, r)| r) } else { rest };
            if let Some(literal) = rest.trim_start().strip_prefix('"') {
                texts.push(string_literal(literal));
            }
        }
    }
    texts
}

/// A Rust (or template) string literal's text up to its closing quote,
/// with `\` line continuations and escapes resolved.
fn string_literal(rest: &str) -> String {
    let mut text = String::new();
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => break,
            '\\' => match chars.next() {
                Some('\n') => {
                    while chars.peek().is_some_and(|c| c.is_whitespace()) {
                        chars.next();
                    }
                }
                Some('n') => text.push('\n'),
                Some(other) => text.push(other),
                None => break,
            },
            c => text.push(c),
        }
    }
    text
}
