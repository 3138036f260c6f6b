//! Log capture that cannot miss lines.
//!
//! `tracing` caches, per call site, whether any subscriber listens. When one
//! test installs a thread-local subscriber while other tests in the same
//! binary hit the same call sites on their threads, a call site can be cached
//! as "nobody listens" and the capturing test silently loses its lines (this
//! happened in CI). So a capturing test reruns itself in a child process where
//! it is the only test, and captures there with a global subscriber that also
//! sees every thread.

use std::io::Write;
use std::process::Command;
use std::sync::{Arc, Mutex};

const CHILD: &str = "VALGHALLA_LOG_CAPTURE_CHILD";

/// In the parent: runs `test` (its path inside the test binary) alone in a
/// child process, fails unless it ran and passed, and returns `None`. In the
/// child: installs the capture and returns it; the caller does its work and
/// reads [`Capture::text`].
pub fn capture_alone(test: &str) -> Option<Capture> {
    if std::env::var_os(CHILD).is_none() {
        let exe = std::env::current_exe().expect("the test binary's path");
        let output = Command::new(exe)
            .args([test, "--exact", "--test-threads=1", "--include-ignored"])
            .env(CHILD, "1")
            .output()
            .expect("the test binary runs again");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success() && stdout.contains("1 passed"),
            "{test} alone:\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        return None;
    }
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(capture.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber in this process");
    Some(capture)
}

/// Everything logged since the capture began.
#[derive(Clone, Default)]
pub struct Capture(Arc<Mutex<Vec<u8>>>);

impl Capture {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}
