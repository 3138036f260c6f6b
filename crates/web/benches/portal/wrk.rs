//! Running wrk and reading its figures. The Lua script gives the requests the
//! participants' session cookies in turn and counts every answer that is not
//! 200 — wrk's own "Non-2xx or 3xx" line misses redirects, and a portal that
//! sends everybody to the sign-in page would otherwise look fast.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::Context;

/// How hard and how long to load the server.
#[derive(Clone)]
pub struct Load {
    pub connections: usize,
    pub threads: usize,
    pub duration: Duration,
}

/// What one wrk run measured.
pub struct Figures {
    pub requests: u64,
    pub per_second: f64,
    pub p50: Duration,
    pub p99: Duration,
    pub not_ok: u64,
    pub socket_errors: Option<String>,
}

/// A Lua script sending `cookies` (`name=value`) in turn, or none.
pub fn script(cookies: &[String]) -> String {
    let list: Vec<String> = cookies.iter().map(|c| format!("  {c:?},")).collect();
    format!(
        r#"local cookies = {{
{}
}}
local requests = {{}}
local sent = 0
not_ok = 0
local threads = {{}}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for i, cookie in ipairs(cookies) do
    requests[i] = wrk.format(nil, nil, {{ ["Cookie"] = cookie }})
  end
end

function request()
  if #requests == 0 then return wrk.format() end
  sent = sent + 1
  return requests[(sent - 1) % #requests + 1]
end

function response(status, headers, body)
  if status ~= 200 then not_ok = not_ok + 1 end
end

function done(summary, latency, counts)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("not_ok") end
  io.write(string.format("Not 200: %d\n", total))
end
"#,
        list.join("\n")
    )
}

/// Runs wrk with `script` against `url` and reads its report.
pub fn run(url: &str, script: &Path, load: &Load) -> anyhow::Result<Figures> {
    let output = Command::new("wrk")
        .arg(format!("-c{}", load.connections))
        .arg(format!("-t{}", load.threads))
        .arg(format!("-d{}s", load.duration.as_secs()))
        .arg("--latency")
        .arg("--timeout")
        .arg("10s")
        .arg("-s")
        .arg(script)
        .arg(url)
        .output()
        .context("running wrk (install it with `apt-get install wrk`, or run bench/portal as root)")?;
    let report = String::from_utf8_lossy(&output.stdout);
    anyhow::ensure!(output.status.success(), "wrk failed: {report}{}", String::from_utf8_lossy(&output.stderr));
    parse(&report).with_context(|| format!("reading wrk's report:\n{report}"))
}

fn parse(report: &str) -> anyhow::Result<Figures> {
    let field = |prefix: &str| report.lines().map(str::trim).find_map(|l| l.strip_prefix(prefix)).map(str::trim);
    let latency =
        |pct: &str| -> anyhow::Result<Duration> { duration(field(pct).with_context(|| format!("no {pct} latency"))?) };
    let requests = report
        .lines()
        .map(str::trim)
        .find_map(|l| l.split_once(" requests in ").and_then(|(n, _)| n.parse().ok()))
        .context("no request count")?;
    Ok(Figures {
        requests,
        per_second: field("Requests/sec:").context("no Requests/sec")?.parse()?,
        p50: latency("50%")?,
        p99: latency("99%")?,
        not_ok: field("Not 200:").context("no count of answers that are not 200")?.parse()?,
        socket_errors: field("Socket errors:").map(str::to_owned),
    })
}

/// wrk's durations: `812.00us`, `12.34ms`, `1.02s`, `2.00m`.
fn duration(text: &str) -> anyhow::Result<Duration> {
    let split = text.find(|c: char| c.is_ascii_alphabetic()).context("a unit")?;
    let (number, unit) = text.split_at(split);
    let value: f64 = number.parse()?;
    let seconds = match unit {
        "us" => value / 1e6,
        "ms" => value / 1e3,
        "s" => value,
        "m" => value * 60.0,
        "h" => value * 3600.0,
        other => anyhow::bail!("unknown unit {other}"),
    };
    Ok(Duration::from_secs_f64(seconds))
}
