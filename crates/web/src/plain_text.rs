//! Text the municipality writes for the portal's pages, shown safely: plain
//! text in paragraphs (a blank line between them, a line break kept), where
//! a bare `https://` address or an e-mail address becomes a link. Nothing
//! from the database is ever markup; the template escapes every piece, and
//! only the two link forms above become `href`s.

/// One piece of a paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Link { href: String, label: String },
    LineBreak,
}

/// A text as paragraphs of pieces, ready for `templates/text.html`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlainText {
    pub paragraphs: Vec<Vec<Piece>>,
}

impl PlainText {
    pub fn new(text: &str) -> Self {
        let text = text.replace("\r\n", "\n");
        let paragraphs = text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()).map(paragraph).collect::<Vec<_>>();
        PlainText { paragraphs }
    }
}

fn paragraph(text: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            pieces.push(Piece::LineBreak);
        }
        line_pieces(line.trim_end(), &mut pieces);
    }
    pieces
}

/// Splits a line at links; the text between them is kept as written.
fn line_pieces(line: &str, pieces: &mut Vec<Piece>) {
    let mut plain = String::new();
    for word in line.split_inclusive(' ') {
        let bare = word.trim_end_matches(' ');
        // Punctuation after a link ends the sentence, not the link.
        let link = bare.trim_end_matches(['.', ',', ';', ':', '!', '?', ')']);
        match link_for(link) {
            Some(href) => {
                if !plain.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut plain)));
                }
                pieces.push(Piece::Link { href, label: link.to_owned() });
                plain.push_str(&word[link.len()..]);
            }
            None => plain.push_str(word),
        }
    }
    if !plain.is_empty() {
        pieces.push(Piece::Text(plain));
    }
}

/// The link a word stands for: a web address on https, or an e-mail address.
pub fn link_for(word: &str) -> Option<String> {
    if let Some(rest) = word.strip_prefix("https://") {
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host_ok = host.contains('.') && host.chars().all(|c| c.is_alphanumeric() || ".-:".contains(c));
        let rest_ok = !rest.chars().any(|c| c.is_control() || "\"'<>`\\".contains(c));
        return (host_ok && rest_ok).then(|| word.to_owned());
    }
    let (user, domain) = word.split_once('@')?;
    let user_ok = !user.is_empty() && user.chars().all(|c| c.is_alphanumeric() || "._+-".contains(c));
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain.chars().all(|c| c.is_alphanumeric() || ".-".contains(c));
    (user_ok && domain_ok).then(|| format!("mailto:{word}"))
}

#[cfg(test)]
mod tests {
    use super::Piece::{LineBreak, Link, Text};
    use super::*;

    fn link(href: &str, text: &str) -> Piece {
        Link { href: href.into(), label: text.into() }
    }

    #[test]
    fn paragraphs_are_split_on_blank_lines_and_keep_their_line_breaks() {
        let text = PlainText::new("Første afsnit.\r\n\r\nAndet\nafsnit.\n\n\n\n  ");
        assert_eq!(
            text.paragraphs,
            vec![vec![Text("Første afsnit.".into())], vec![Text("Andet".into()), LineBreak, Text("afsnit.".into())]]
        );
    }

    #[test]
    fn bare_https_addresses_and_email_addresses_become_links() {
        let text = PlainText::new("Læs https://korsbaek.dk/valg. Skriv til valg@korsbaek.dk, eller ring.");
        assert_eq!(
            text.paragraphs[0],
            vec![
                Text("Læs ".into()),
                link("https://korsbaek.dk/valg", "https://korsbaek.dk/valg"),
                Text(". Skriv til ".into()),
                link("mailto:valg@korsbaek.dk", "valg@korsbaek.dk"),
                Text(", eller ring.".into()),
            ]
        );
    }

    #[test]
    fn nothing_else_becomes_a_link() {
        for word in [
            "javascript:alert(1)",
            "http://korsbaek.dk",
            "https://",
            "https://x\"onmouseover=\"alert(1)",
            "https://korsbaek.dk/<script>",
            "data:text/html,<b>",
            "a@b",
            "@korsbaek.dk",
            "a\"b@korsbaek.dk",
            "<a href=x>@y.dk",
        ] {
            assert_eq!(PlainText::new(word).paragraphs, vec![vec![Text(word.into())]], "{word}");
        }
    }
}
