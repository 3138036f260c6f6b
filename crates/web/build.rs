// Lets `store_tests!` mark PostgreSQL tests ignored, with the reason shown,
// when no test server is configured.
fn main() {
    println!("cargo::rustc-check-cfg=cfg(pg_tests)");
    println!("cargo::rerun-if-env-changed=VALGHALLA_TEST_PG_URL");
    if std::env::var_os("VALGHALLA_TEST_PG_URL").is_some() {
        println!("cargo::rustc-cfg=pg_tests");
    }
}
