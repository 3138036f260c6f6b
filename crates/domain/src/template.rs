//! Message templates: text with placeholders such as `!name` that are filled
//! in per message. A template is tokenised once, when it is saved, so an
//! unknown or misspelt placeholder is refused with its position instead of
//! reaching a citizen as "!navn".
//!
//! Syntax:
//! - `!` followed by a letter starts a placeholder; its name runs over the
//!   following letters, digits and `_` (so `!work_location_address` is one
//!   placeholder and never `!work_location` followed by text).
//! - `!{name}` is the same placeholder, for text that continues with a
//!   letter at once, such as the Danish genitive: `!{municipality}s`.
//! - `!!` is a literal `!`. It is needed only when a `!` must stand directly
//!   before a letter (`!!name` is the text "!name").
//! - Any other `!` (before a space, punctuation, a digit or at the end) is
//!   literal, so ordinary Danish punctuation needs no escaping.

use std::fmt;

/// A value filled into a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Placeholder {
    Name,
    Election,
    WorkLocation,
    WorkLocationAddress,
    TaskType,
    TaskTypeDescription,
    TaskDate,
    TaskStart,
    TaskEnd,
    Payment,
    Days,
    Municipality,
    Invitation,
    Contact,
    ExternalWeb,
    Overview,
}

impl Placeholder {
    pub const ALL: [Placeholder; 16] = [
        Placeholder::Name,
        Placeholder::Election,
        Placeholder::WorkLocation,
        Placeholder::WorkLocationAddress,
        Placeholder::TaskType,
        Placeholder::TaskTypeDescription,
        Placeholder::TaskDate,
        Placeholder::TaskStart,
        Placeholder::TaskEnd,
        Placeholder::Payment,
        Placeholder::Days,
        Placeholder::Municipality,
        Placeholder::Invitation,
        Placeholder::Contact,
        Placeholder::ExternalWeb,
        Placeholder::Overview,
    ];

    /// The name as written after `!` in a template. Stored in templates: never change one.
    pub fn key(self) -> &'static str {
        match self {
            Placeholder::Name => "name",
            Placeholder::Election => "election",
            Placeholder::WorkLocation => "work_location",
            Placeholder::WorkLocationAddress => "work_location_address",
            Placeholder::TaskType => "task_type",
            Placeholder::TaskTypeDescription => "task_type_description",
            Placeholder::TaskDate => "task_date",
            Placeholder::TaskStart => "task_start",
            Placeholder::TaskEnd => "task_end",
            Placeholder::Payment => "payment",
            Placeholder::Days => "days",
            Placeholder::Municipality => "municipality",
            Placeholder::Invitation => "invitation",
            Placeholder::Contact => "contact",
            Placeholder::ExternalWeb => "external_web",
            Placeholder::Overview => "overview",
        }
    }

    /// Danish explanation shown to staff next to the list of placeholders.
    pub fn label(self) -> &'static str {
        match self {
            Placeholder::Name => "Deltagerens fulde navn",
            Placeholder::Election => "Valgets titel",
            Placeholder::WorkLocation => "Stedets navn",
            Placeholder::WorkLocationAddress => "Stedets adresse",
            Placeholder::TaskType => "Opgavetype",
            Placeholder::TaskTypeDescription => "Beskrivelse af opgavetypen",
            Placeholder::TaskDate => "Opgavens dato (dd/mm/åååå)",
            Placeholder::TaskStart => "Starttidspunkt (tt:mm)",
            Placeholder::TaskEnd => "Sluttidspunkt (tt:mm)",
            Placeholder::Payment => "Diæt, fx »500 kr.«, eller tomt",
            Placeholder::Days => "Antal dage til opgaven",
            Placeholder::Municipality => "Kommunens navn",
            Placeholder::Invitation => "Link til invitationen",
            Placeholder::Contact => "Link til kontaktsiden",
            Placeholder::ExternalWeb => "Link til den eksterne hjemmeside",
            Placeholder::Overview => "Link til »Mit overblik« uden MitID",
        }
    }

    /// Links become `<a>` elements in HTML.
    pub fn is_link(self) -> bool {
        matches!(
            self,
            Placeholder::Invitation | Placeholder::Contact | Placeholder::ExternalWeb | Placeholder::Overview
        )
    }

    /// Placeholders that describe a seat; a group message without a seat leaves them empty.
    pub fn needs_seat(self) -> bool {
        matches!(
            self,
            Placeholder::WorkLocation
                | Placeholder::WorkLocationAddress
                | Placeholder::TaskType
                | Placeholder::TaskTypeDescription
                | Placeholder::TaskDate
                | Placeholder::TaskStart
                | Placeholder::TaskEnd
                | Placeholder::Payment
                | Placeholder::Days
                | Placeholder::Invitation
        )
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Placeholder::ALL.into_iter().find(|p| p.key() == key)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Text(String),
    Placeholder(Placeholder),
}

/// A placeholder nobody knows, with its 1-based position in characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Ukendt felt »!{name}« i linje {line}, kolonne {column}")]
pub struct TemplateError {
    pub name: String,
    pub line: usize,
    pub column: usize,
}

/// A parsed template: adjacent literal text is always one token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    tokens: Vec<Token>,
}

/// Values per placeholder; a missing value renders as empty text.
pub trait Values {
    fn value(&self, placeholder: Placeholder) -> Option<&str>;
}

impl Values for std::collections::HashMap<Placeholder, String> {
    fn value(&self, placeholder: Placeholder) -> Option<&str> {
        self.get(&placeholder).map(String::as_str)
    }
}

impl Template {
    pub fn parse(source: &str) -> Result<Self, TemplateError> {
        let mut tokens = Vec::new();
        let mut text = String::new();
        let mut chars = Positioned::new(source);
        while let Some(c) = chars.next() {
            if c != '!' {
                text.push(c);
                continue;
            }
            match chars.peek() {
                Some('!') => {
                    chars.next();
                    text.push('!');
                }
                Some(next) if next.is_alphabetic() || next == '{' => {
                    let placeholder = chars.take_placeholder()?;
                    if !text.is_empty() {
                        tokens.push(Token::Text(std::mem::take(&mut text)));
                    }
                    tokens.push(Token::Placeholder(placeholder));
                }
                _ => text.push('!'),
            }
        }
        if !text.is_empty() {
            tokens.push(Token::Text(text));
        }
        Ok(Template { tokens })
    }

    pub fn tokens(&self) -> &[Token] {
        &self.tokens
    }

    pub fn placeholders(&self) -> impl Iterator<Item = Placeholder> + '_ {
        self.tokens.iter().filter_map(|token| match token {
            Token::Placeholder(p) => Some(*p),
            Token::Text(_) => None,
        })
    }

    /// Plain text, for SMS and the text part of an e-mail.
    pub fn render_text(&self, values: &impl Values) -> String {
        let mut out = String::new();
        for token in &self.tokens {
            match token {
                Token::Text(text) => out.push_str(text),
                Token::Placeholder(p) => out.push_str(values.value(*p).unwrap_or_default()),
            }
        }
        out
    }

    /// HTML: the template's own text is trusted markup written by staff, the
    /// values come from citizens and CPR and are escaped; links become `<a>`.
    pub fn render_html(&self, values: &impl Values) -> String {
        let mut out = String::new();
        for token in &self.tokens {
            match token {
                Token::Text(text) => out.push_str(text),
                Token::Placeholder(p) => {
                    let value = escape_html(values.value(*p).unwrap_or_default());
                    if p.is_link() && !value.is_empty() {
                        out.push_str(&format!("<a href=\"{value}\">{value}</a>"));
                    } else {
                        out.push_str(&value);
                    }
                }
            }
        }
        out
    }
}

/// Prints the template back in its source syntax (every literal `!` as `!!`).
impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, token) in self.tokens.iter().enumerate() {
            match token {
                Token::Text(text) => f.write_str(&text.replace('!', "!!"))?,
                Token::Placeholder(p) => {
                    let joined = match self.tokens.get(i + 1) {
                        Some(Token::Text(next)) => next.starts_with(is_name_char),
                        _ => false,
                    };
                    if joined { write!(f, "!{{{}}}", p.key())? } else { write!(f, "!{}", p.key())? }
                }
            }
        }
        Ok(())
    }
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

pub fn escape_html(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Characters with the line and column of the next one.
struct Positioned<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    line: usize,
    column: usize,
}

impl<'a> Positioned<'a> {
    fn new(source: &'a str) -> Self {
        Positioned { chars: source.chars().peekable(), line: 1, column: 1 }
    }

    fn next(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn peek(&mut self) -> Option<char> {
        self.chars.peek().copied()
    }

    /// Reads the name after a `!` (already consumed), braced or not.
    fn take_placeholder(&mut self) -> Result<Placeholder, TemplateError> {
        let (line, column) = (self.line, self.column - 1);
        let braced = self.peek() == Some('{');
        let mut name = String::new();
        if braced {
            self.next();
            name.push('{');
        }
        while let Some(c) = self.peek().filter(|c| is_name_char(*c)) {
            name.push(c);
            self.next();
        }
        if braced && self.peek() == Some('}') {
            self.next();
            name.push('}');
        }
        let key = name.strip_prefix('{').and_then(|n| n.strip_suffix('}')).unwrap_or(&name);
        Placeholder::from_key(key).ok_or(TemplateError { name, line, column })
    }
}

#[cfg(test)]
#[path = "template_tests.rs"]
mod tests;
