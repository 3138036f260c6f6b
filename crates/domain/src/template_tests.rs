use std::collections::HashMap;

use proptest::prelude::*;

use super::*;

fn values() -> HashMap<Placeholder, String> {
    Placeholder::ALL.into_iter().map(|p| (p, format!("<{}>", p.key().to_uppercase()))).collect()
}

#[test]
fn placeholders_and_text_become_tokens() {
    let template = Template::parse("Kære !name, mød op på !work_location_address kl. !task_start!").unwrap();
    assert_eq!(
        template.tokens(),
        [
            Token::Text("Kære ".into()),
            Token::Placeholder(Placeholder::Name),
            Token::Text(", mød op på ".into()),
            Token::Placeholder(Placeholder::WorkLocationAddress),
            Token::Text(" kl. ".into()),
            Token::Placeholder(Placeholder::TaskStart),
            Token::Text("!".into()),
        ]
    );
}

#[test]
fn a_longer_name_is_never_split_into_a_shorter_placeholder() {
    let template = Template::parse("!task_type_description og !task_type").unwrap();
    let found: Vec<_> = template.placeholders().collect();
    assert_eq!(found, [Placeholder::TaskTypeDescription, Placeholder::TaskType]);
}

#[test]
fn unknown_placeholders_are_refused_with_their_position() {
    let error = Template::parse("Hej\nkom !navn den !task_date").unwrap_err();
    assert_eq!(error, TemplateError { name: "navn".into(), line: 2, column: 5 });
    assert_eq!(error.to_string(), "Ukendt felt »!navn« i linje 2, kolonne 5");
    // A misspelling that starts like a known name is still unknown.
    let error = Template::parse("!names").unwrap_err();
    assert_eq!((error.name.as_str(), error.line, error.column), ("names", 1, 1));
}

#[test]
fn braces_let_text_continue_right_after_a_placeholder() {
    let template = Template::parse("!{municipality}s valgsekretariat").unwrap();
    assert_eq!(
        template.tokens(),
        [Token::Placeholder(Placeholder::Municipality), Token::Text("s valgsekretariat".into())]
    );
    let error = Template::parse("ok\n  !{navn}").unwrap_err();
    assert_eq!(error.to_string(), "Ukendt felt »!{navn}« i linje 2, kolonne 3");
    assert_eq!(Template::parse("!{name").unwrap_err().name, "{name");
}

#[test]
fn exclamation_marks_are_literal_unless_before_a_letter() {
    let template = Template::parse("Tak! Vi ses!! 100 !? !!name").unwrap();
    assert_eq!(template.tokens(), [Token::Text("Tak! Vi ses! 100 !? !name".into())]);
}

#[test]
fn html_escapes_values_and_links_but_keeps_the_template_markup() {
    let mut values = HashMap::new();
    values.insert(Placeholder::Name, "Ib <script>".to_owned());
    values.insert(Placeholder::Contact, "https://valg.example/kontakt-os?a=1&b=2".to_owned());
    let template = Template::parse("<p>Hej !name</p>!contact").unwrap();
    assert_eq!(
        template.render_html(&values),
        "<p>Hej Ib &lt;script&gt;</p><a href=\"https://valg.example/kontakt-os?a=1&amp;b=2\">\
         https://valg.example/kontakt-os?a=1&amp;b=2</a>"
    );
    assert_eq!(template.render_text(&values), "<p>Hej Ib <script></p>https://valg.example/kontakt-os?a=1&b=2");
}

#[test]
fn a_missing_value_renders_empty() {
    let template = Template::parse("Diæt: !payment.").unwrap();
    assert_eq!(template.render_text(&HashMap::new()), "Diæt: .");
}

fn token() -> impl Strategy<Value = Token> {
    prop_oneof![
        "[a-zA-Z_0-9 !{}æ\n.,<>&]{1,12}".prop_map(Token::Text),
        proptest::sample::select(Placeholder::ALL.to_vec()).prop_map(Token::Placeholder),
    ]
}

/// Adjacent text tokens merged, as the parser produces them.
fn normalised(tokens: Vec<Token>) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    for token in tokens {
        match (out.last_mut(), token) {
            (Some(Token::Text(previous)), Token::Text(text)) => previous.push_str(&text),
            (_, token) => out.push(token),
        }
    }
    out
}

proptest! {
    #[test]
    fn parse_after_print_round_trips(tokens in proptest::collection::vec(token(), 0..10)) {
        let template = Template { tokens: normalised(tokens) };
        prop_assert_eq!(Template::parse(&template.to_string()).unwrap(), template);
    }

    #[test]
    fn text_without_exclamation_marks_is_one_token(text in "[^!]{1,80}") {
        let template = Template::parse(&text).unwrap();
        prop_assert_eq!(template.tokens(), [Token::Text(text)]);
    }

    #[test]
    fn rendering_leaves_no_known_placeholder_behind(tokens in proptest::collection::vec(token(), 0..10)) {
        let template = Template { tokens: normalised(tokens) };
        let source = template.to_string();
        let parsed = Template::parse(&source).unwrap();
        let values = values();
        let text = parsed.render_text(&values);
        let html = parsed.render_html(&values);
        for p in parsed.placeholders() {
            prop_assert!(text.contains(&values[&p]));
            prop_assert!(html.contains(&escape_html(&values[&p])));
        }
        // Values contain no "!", so any "!name" left would come from a placeholder not filled in.
        for p in Placeholder::ALL {
            let written = format!("!{}", p.key());
            let literal = parsed.tokens().iter().any(|t| matches!(t, Token::Text(s) if s.contains(&written)));
            prop_assert!(literal || !text.contains(&written));
        }
    }

    #[test]
    fn arbitrary_input_never_panics(source in prop_oneof![any::<String>(), "[!a-z_{} \n]{0,40}"]) {
        if let Ok(template) = Template::parse(&source) {
            prop_assert_eq!(Template::parse(&template.to_string()).unwrap(), template.clone());
            template.render_html(&values());
        }
    }
}
