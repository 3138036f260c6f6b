//! Session cookies. The value is an opaque random token (the database keeps
//! only its hash); HttpOnly keeps scripts from reading it, SameSite=Lax keeps
//! other sites' forms from sending it, Secure keeps it off plain http
//! (except in the plain-http demo).

/// The admin app's session cookie, sent only to `/admin`.
pub const ADMIN: &str = "vh_admin";
pub const ADMIN_PATH: &str = "/admin";
/// The portal's session cookie.
pub const PORTAL: &str = "vh_portal";
pub const PORTAL_PATH: &str = "/";

/// `Set-Cookie` value that stores `value` for the browser session.
pub fn set(name: &str, path: &str, value: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path={path}; HttpOnly; SameSite=Lax{secure}")
}

/// `Set-Cookie` value that removes the cookie.
pub fn clear(name: &str, path: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}=; Path={path}; Max-Age=0; HttpOnly; SameSite=Lax{secure}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_http_only_and_lax() {
        assert_eq!(set(ADMIN, ADMIN_PATH, "abc", true), "vh_admin=abc; Path=/admin; HttpOnly; SameSite=Lax; Secure");
        assert_eq!(set(PORTAL, PORTAL_PATH, "abc", false), "vh_portal=abc; Path=/; HttpOnly; SameSite=Lax");
        assert!(clear(PORTAL, PORTAL_PATH, true).contains("Max-Age=0"));
    }
}
