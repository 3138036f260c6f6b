//! `valghalla`: the one binary. Commands are thin; the work is in the crates.

mod config;
mod cpr_cmd;
mod cpr_wiring;
mod demo;
mod logging;
mod messaging_wiring;
mod saml;
mod tenants;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "valghalla", version, about = "Rekruttering og bemanding af valg i danske kommuner")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the demo: SQLite under --data-dir, seeded "Korsbæk Kommune".
    Demo {
        #[arg(long, default_value_t = 8080)]
        port: u16,
        #[arg(long, default_value = "./data")]
        data_dir: PathBuf,
        /// Address to bind; the demo stays on the loopback unless told otherwise.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// The CPR simulator's persons (TOML, see crates/simulators/README.md)
        /// instead of the built-in set.
        #[arg(long)]
        cpr_persons: Option<PathBuf>,
    },
    /// Serve every configured tenant (web and, unless --no-jobs, the job runner).
    Serve {
        #[arg(long, env = "VALGHALLA_CONFIG")]
        config: PathBuf,
        #[arg(long)]
        no_jobs: bool,
    },
    /// Run only the job runners of every tenant (web served elsewhere with --no-jobs).
    Worker {
        #[arg(long, env = "VALGHALLA_CONFIG")]
        config: PathBuf,
    },
    /// Apply pending database migrations for every tenant (or one).
    Migrate {
        #[arg(long, env = "VALGHALLA_CONFIG")]
        config: PathBuf,
        #[arg(long)]
        tenant: Option<String>,
    },
    /// Tenant administration.
    Tenant {
        #[command(subcommand)]
        command: TenantCommand,
    },
    /// Configuration checks.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// CPR operator commands (extract import, lookup).
    Cpr {
        #[command(subcommand)]
        command: cpr_cmd::CprCommand,
    },
}

#[derive(Subcommand)]
enum TenantCommand {
    /// List the configured tenants and whether their entries are valid.
    List {
        #[arg(long, env = "VALGHALLA_CONFIG")]
        config: PathBuf,
    },
    /// Switch the admins' MitID fallback sign-in on or off (when FK
    /// Adgangsstyring is down). Audited.
    FallbackLogin {
        #[arg(value_enum)]
        state: OnOff,
        #[arg(long)]
        tenant: String,
        /// When the fallback ends by itself: RFC 3339 or "YYYY-MM-DD HH:MM" (Danish time).
        #[arg(long)]
        until: Option<String>,
        #[arg(long, env = "VALGHALLA_CONFIG")]
        config: PathBuf,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum OnOff {
    On,
    Off,
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Check a configuration file and explain every error.
    Check {
        #[arg(long, env = "VALGHALLA_CONFIG")]
        config: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Demo { port, data_dir, bind, cpr_persons } => {
            logging::init(config::LogFormat::Pretty);
            demo::run(SocketAddr::new(bind, port), &data_dir, cpr_persons.as_deref()).await?;
        }
        Command::Serve { config, no_jobs } => {
            let config = load_config(&config)?;
            logging::init(config.server.log_format);
            tenants::serve(config, !no_jobs).await?;
        }
        Command::Worker { config } => {
            let config = load_config(&config)?;
            logging::init(config.server.log_format);
            tenants::work(config).await?;
        }
        Command::Migrate { config, tenant } => {
            logging::init(config::LogFormat::Pretty);
            let config = load_config(&config)?;
            return tenants::migrate(config, tenant.as_deref()).await;
        }
        Command::Tenant { command: TenantCommand::List { config } } => {
            let config = load_config(&config)?;
            tenants::list(&config);
        }
        Command::Tenant { command: TenantCommand::FallbackLogin { state, tenant, until, config } } => {
            let until = until.as_deref().map(tenants::parse_until).transpose().map_err(|e| anyhow::anyhow!(e))?;
            let config = load_config(&config)?;
            tenants::fallback_login(config, &tenant, matches!(state, OnOff::On), until).await?;
        }
        Command::Config { command: ConfigCommand::Check { config } } => {
            return Ok(check_config(&config).await);
        }
        Command::Cpr { command } => {
            logging::init(config::LogFormat::Pretty);
            cpr_cmd::run(command).await?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn load_config(path: &std::path::Path) -> anyhow::Result<config::Config> {
    config::load(path).map_err(|e| anyhow::anyhow!("{e}")).with_context(|| format!("reading {}", path.display()))
}

async fn check_config(path: &std::path::Path) -> ExitCode {
    let config = match config::load(path) {
        Ok(c) => c,
        Err(e) => {
            println!("{}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    };
    let mut failed = !config.errors.is_empty();
    for t in &config.tenants {
        // The sign-in settings are checked as `serve` would: metadata read
        // (or fetched), signing certificate present, keys matching.
        if let Err(errors) = saml::load(t).await {
            failed = true;
            for e in errors {
                println!("error: {e}");
            }
            continue;
        }
        let idp = match &t.identity_provider {
            Some(idp) => format!(", identity provider metadata {}", idp.metadata),
            None => " (no identity_provider: serve will skip it)".to_owned(),
        };
        println!("ok: tenant \"{}\" ({}){idp}", t.key, t.name);
    }
    for e in &config.errors {
        println!("error: {e}");
    }
    if config.tenants.is_empty() && config.errors.is_empty() {
        println!("error: no tenants are configured");
        return ExitCode::FAILURE;
    }
    if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}
