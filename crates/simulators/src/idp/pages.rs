//! The IdP's HTML: the pick-a-test-user page, the auto-submitting POST form, error and
//! logout pages. Danish, plain, usable without JavaScript, and with no inline script or
//! style so that a strict Content-Security-Policy holds (the auto-submit is the external
//! `/static/autopost.js`).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::Flavour;
use super::users::Users;
use crate::xml::escape;

pub const AUTOPOST_JS: &str = "// Submits the SAML POST form without a click; the form's own button works without it.\n\
document.addEventListener('DOMContentLoaded', function () {\n\
  var form = document.getElementById('saml-post');\n\
  if (form) { form.submit(); }\n\
});\n";

pub const IDP_CSS: &str = "body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}\n\
h1{font-size:1.6rem}.banner{background:#fff3cd;border:1px solid #c9a227;padding:.5rem 1rem}\n\
ul.users{list-style:none;padding:0}ul.users li{margin:.5rem 0}\n\
button{font-size:1rem;padding:.5rem 1rem;min-width:18rem;text-align:left;cursor:pointer}\n\
button.secondary{min-width:0}.details{color:#555;font-size:.9rem;margin-left:.5rem}\n";

/// `scheme://host[:port]` of a URL, for the CSP `form-action` of the POST page.
fn origin(url: &str) -> &str {
    let after_scheme = url.find("://").map(|i| i + 3).unwrap_or(0);
    match url[after_scheme..].find('/') {
        Some(i) => &url[..after_scheme + i],
        None => url,
    }
}

fn html(status: StatusCode, form_action: &str, title: &str, body: &str) -> Response {
    let page = format!(
        "<!doctype html>\n<html lang=\"da\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><link rel=\"stylesheet\" href=\"/static/idp.css\"></head>\
         <body><main>{body}</main></body></html>\n",
        escape(title)
    );
    let csp = format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; form-action {form_action}; \
         base-uri 'none'; frame-ancestors 'none'"
    );
    let mut resp = (status, page).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    resp
}

fn idp_name(flavour: Flavour) -> &'static str {
    match flavour {
        Flavour::Fk => "FK Adgangsstyring",
        Flavour::NemLogin => "NemLog-in (MitID)",
    }
}

/// One button per test user; `pending` names the AuthnRequest kept server-side.
pub fn pick_user(flavour: Flavour, users: &Users, pending: &str, sp_entity: &str) -> Response {
    let mut items = String::new();
    let mut push = |id: &str, label: &str, details: &str| {
        items += &format!(
            "<li><button type=\"submit\" name=\"user\" value=\"{}\">{}</button>\
             <span class=\"details\">{}</span></li>",
            escape(id),
            escape(label),
            escape(details)
        );
    };
    match flavour {
        Flavour::Fk => {
            for u in &users.fk {
                let privileges: Vec<String> = u
                    .privilege_groups
                    .iter()
                    .flat_map(|g| {
                        let scope = g.scope.rsplit(':').next().unwrap_or_default().to_owned();
                        g.privileges.iter().map(move |p| {
                            let role = p.trim_end_matches("/1").rsplit('/').next().unwrap_or(p);
                            // Say when a privilege belongs to another IT system than ours.
                            let other = if p.contains("://valghalla.dk/") { "" } else { " i andet system" };
                            format!("{role}{other} ({scope})")
                        })
                    })
                    .collect();
                let roles = if privileges.is_empty() { "ingen rettigheder".into() } else { privileges.join(", ") };
                push(&u.id, &u.name, &format!("CVR {} · {roles}", u.cvr));
            }
        }
        Flavour::NemLogin => {
            for c in &users.nemlogin {
                push(&c.id, &c.full_name(), &format!("CPR {} · sikringsniveau {}", c.cpr, c.loa.as_str()));
            }
        }
    }
    let body = format!(
        "<p class=\"banner\">Dette er en <strong>simuleret</strong> {name} til test og demo. \
         Ingen rigtige personer eller adgangskoder.</p>\
         <h1>Vælg en testbruger</h1><p>Log ind hos <code>{sp}</code> som:</p>\
         <form method=\"post\" action=\"/{path}/sso/login\">\
         <input type=\"hidden\" name=\"pending\" value=\"{pending}\"><ul class=\"users\">{items}</ul>\
         <p><button type=\"submit\" class=\"secondary\" name=\"cancel\" value=\"1\">Afbryd login</button></p></form>",
        name = idp_name(flavour),
        sp = escape(sp_entity),
        path = flavour.path(),
        pending = escape(pending),
    );
    html(StatusCode::OK, "'self'", &format!("Log ind – simuleret {}", idp_name(flavour)), &body)
}

/// The HTTP-POST binding: a form to the ACS that submits itself when scripts run and
/// has a visible button when they do not.
pub fn autopost(acs_url: &str, saml_response_b64: &str, relay_state: Option<&str>) -> Response {
    let relay = relay_state
        .map(|r| format!("<input type=\"hidden\" name=\"RelayState\" value=\"{}\">", escape(r)))
        .unwrap_or_default();
    let body = format!(
        "<h1>Du bliver sendt videre</h1>\
         <form id=\"saml-post\" method=\"post\" action=\"{acs}\">\
         <input type=\"hidden\" name=\"SAMLResponse\" value=\"{resp}\">{relay}\
         <p>Sker der ikke noget, så tryk på knappen.</p><button type=\"submit\">Fortsæt</button></form>\
         <script src=\"/static/autopost.js\" defer></script>",
        acs = escape(acs_url),
        resp = escape(saml_response_b64),
    );
    html(StatusCode::OK, origin(acs_url), "Du bliver sendt videre", &body)
}

/// A plain Danish error page, as a real IdP shows for a request it cannot honour.
pub fn error(status: StatusCode, message: &str) -> Response {
    let body = format!("<h1>Login kunne ikke gennemføres</h1><p>{}</p>", escape(message));
    html(status, "'none'", "Fejl – simuleret identitetsudbyder", &body)
}

pub fn logged_out(flavour: Flavour) -> Response {
    let body = format!("<h1>Du er logget ud</h1><p>Du er logget ud af {}.</p>", idp_name(flavour));
    html(StatusCode::OK, "'none'", "Logget ud", &body)
}

pub fn static_file(content_type: &'static str, body: &'static str) -> Response {
    let mut resp = body.into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_of_urls() {
        assert_eq!(origin("http://127.0.0.1:8080/saml/acs?x=1"), "http://127.0.0.1:8080");
        assert_eq!(origin("https://sp.example"), "https://sp.example");
    }
}
