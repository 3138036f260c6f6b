//! `valghalla cpr import` and `valghalla cpr lookup`: operator commands for
//! one tenant. The import feeds the local CPR copy; the lookup asks the
//! tenant's provider chain from `[tenants.X.cpr]` (the local copy alone when
//! none is configured, and for the demo's data directory).
//!
//! The CPR number given on the command line is never logged or echoed: the
//! JSON shows it masked, and the audit row names its keyed hash.

use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{NaiveDate, TimeZone, Utc};
use clap::Subcommand;
use domain::{CprNumber, Rule, RuleSet, evaluate};
use integrations::cpr::{CprRegistry, extract};
use jobs::cpr::local_copy::copy_record;
use serde_json::json;
use store::repo::audit::{self, Actor, AuditAction, AuditEntry};
use store::repo::cpr_copy::{self, ImportFile};
use store::tenants::Tenant;

#[derive(Subcommand)]
pub enum CprCommand {
    /// Import a CPR extract file (P12170) into the tenant's local CPR copy.
    Import {
        file: PathBuf,
        #[command(flatten)]
        tenant: TenantArgs,
    },
    /// Look a person up and print the record, its source and freshness, and
    /// every eligibility rule's result on a date, as JSON.
    Lookup {
        /// The CPR number (DDMMYYSSSS or DDMMYY-SSSS).
        cpr: String,
        /// The day the rules are judged on (default: today).
        #[arg(long)]
        on: Option<NaiveDate>,
        #[command(flatten)]
        tenant: TenantArgs,
    },
}

#[derive(clap::Args)]
pub struct TenantArgs {
    #[arg(long)]
    tenant: String,
    #[arg(long, env = "VALGHALLA_CONFIG")]
    config: Option<PathBuf>,
    /// The demo's data directory (instead of --config).
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

pub async fn run(command: CprCommand) -> anyhow::Result<()> {
    match command {
        CprCommand::Import { file, tenant } => import(&file, &open(&tenant).await?.0).await,
        CprCommand::Lookup { cpr, on, tenant } => {
            let (tenant, config) = open(&tenant).await?;
            let cpr_config = crate::cpr_wiring::build(&config.cpr, &tenant, &config.sign_in.base_dir)?;
            lookup(&cpr, on, &tenant, cpr_config.registry.as_ref()).await
        }
    }
}

async fn open(args: &TenantArgs) -> anyhow::Result<(Tenant, crate::config::TenantConfig)> {
    let config = match (&args.config, &args.data_dir) {
        (Some(path), _) => {
            let config = crate::load_config(path)?;
            config
                .tenants
                .into_iter()
                .find(|t| t.key == args.tenant)
                .with_context(|| format!("no valid tenant \"{}\" in {}", args.tenant, path.display()))?
        }
        (None, Some(dir)) => demo_tenant(&args.tenant, dir)?,
        (None, None) => anyhow::bail!("give --config (or --data-dir for the demo)"),
    };
    Ok((crate::tenants::open(&config).await?, config))
}

/// The demo tenant under `dir`, as `valghalla demo` created it.
fn demo_tenant(key: &str, dir: &Path) -> anyhow::Result<crate::config::TenantConfig> {
    anyhow::ensure!(key == crate::demo::TENANT_KEY, "the demo's tenant is \"{}\"", crate::demo::TENANT_KEY);
    let key_path = dir.join("demo-cpr.key");
    let text = std::fs::read_to_string(&key_path)
        .with_context(|| format!("reading {} (run `valghalla demo` first)", key_path.display()))?;
    let cpr_key: [u8; 32] = hex::decode(text.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .with_context(|| format!("{} is not a 32-byte key", key_path.display()))?;
    Ok(crate::config::TenantConfig {
        key: crate::demo::TENANT_KEY.into(),
        name: crate::demo::TENANT_NAME.into(),
        cvr: domain::Cvr::parse(crate::demo::CVR)?,
        municipality: domain::MunicipalityCode::parse(crate::demo::MUNICIPALITY_CODE)?,
        admin_host: "localhost".into(),
        portal_host: "localhost".into(),
        database_url: format!("sqlite://{}?mode=rwc", dir.join("korsbaek.db").display()),
        cpr_key,
        identity_provider: None,
        sign_in: Default::default(),
        cpr: Default::default(),
        messaging: Default::default(),
    })
}

async fn import(path: &Path, tenant: &Tenant) -> anyhow::Result<()> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let file = extract::parse(&bytes).with_context(|| format!("{} was not imported", path.display()))?;
    // The file's data was current on its production day.
    let as_of = Utc.from_utc_datetime(&file.header.produced_on.and_hms_opt(0, 0, 0).expect("midnight"));
    let records: Vec<_> = file.persons.iter().map(|r| copy_record(r, as_of, "extract")).collect();
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let import = ImportFile {
        checksum: cpr_copy::checksum(&bytes),
        name,
        produced_on: Some(file.header.produced_on),
        skipped: file.skipped_total(),
    };
    let counts = cpr_copy::import(&tenant.db, &tenant.vault, &import, &records, Utc::now()).await?;
    if counts.already_imported {
        println!("already imported: nothing changed");
    }
    println!("persons: {}", counts.persons);
    let by_type: Vec<String> = file.skipped.iter().map(|(kind, n)| format!("{kind}: {n}")).collect();
    println!("skipped records of unread types: {} ({})", file.skipped_total(), by_type.join(", "));
    println!("new: {}", counts.inserted);
    println!("updated: {}", counts.updated);
    println!("unchanged: {}", counts.unchanged);
    Ok(())
}

async fn lookup(text: &str, on: Option<NaiveDate>, tenant: &Tenant, registry: &dyn CprRegistry) -> anyhow::Result<()> {
    // The parse error never quotes the input.
    let cpr = CprNumber::parse(text).map_err(|e| anyhow::anyhow!("{e}"))?;
    let on = on.unwrap_or_else(|| domain::danish_date(Utc::now()));
    let result = registry.lookup(&cpr).await;
    let source = match &result {
        Ok(answer) => answer.source.as_str().to_owned(),
        Err(_) => "none".to_owned(),
    };
    let entry = AuditEntry::new(AuditAction::CprLookup, "cpr_copy")
        .entity(tenant.vault.hash(&cpr))
        .description(format!("CPR-opslag fra kommandolinjen (kilde: {source})"));
    audit::record(&tenant.db, &Actor::system(), entry).await?;
    let answer = result.map_err(|e| anyhow::anyhow!("{e}"))?;
    let eligibility = evaluate(&answer.record.person_facts(), on, &RuleSet::ALL, false, &tenant.municipality);
    let rules: Vec<_> = Rule::ALL
        .iter()
        .map(|rule| json!({ "rule": rule, "label": rule.label(), "outcome": eligibility.outcome(*rule) }))
        .collect();
    let out = json!({
        "record": answer.record,
        "source": answer.source,
        "fresh": answer.fresh,
        "as_of": answer.as_of,
        "fetched_at": answer.fetched_at,
        "fallback_from": answer.fallback_from,
        "on": on,
        "eligible": eligibility.is_eligible(),
        "rules": rules,
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use sea_orm::EntityTrait;
    use store::entity::audit_log;

    use super::*;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../integrations/tests/fixtures/cpr-extract").join(name)
    }

    #[tokio::test]
    async fn import_is_idempotent_and_lookup_is_audited_without_the_number() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        std::fs::write(dir.path().join("demo-cpr.key"), hex::encode([3u8; 32]))?;
        let tenant = crate::tenants::open(&demo_tenant(crate::demo::TENANT_KEY, dir.path())?).await?;
        import(&fixture("valid.txt"), &tenant).await?;
        import(&fixture("valid.txt"), &tenant).await?;
        assert_eq!(cpr_copy::count(&tenant.db).await?, 10);
        assert_eq!(cpr_copy::imports(&tenant.db).await?.len(), 1, "the second import changed nothing");
        assert!(import(&fixture("no-trailer.txt"), &tenant).await.is_err());
        assert_eq!(cpr_copy::imports(&tenant.db).await?.len(), 1);

        let copy = jobs::cpr::LocalCopy::new(tenant.db.clone(), tenant.vault.clone());
        lookup("010180-1234", NaiveDate::from_ymd_opt(2030, 6, 1), &tenant, &copy).await?;
        assert!(lookup("0202020202", None, &tenant, &copy).await.is_err(), "not in the copy");
        let rows = audit_log::Entity::find().all(&tenant.db).await?;
        let lookups: Vec<_> = rows.iter().filter(|r| r.action == AuditAction::CprLookup.as_str()).collect();
        assert_eq!(lookups.len(), 2, "failed lookups are audited too");
        for row in lookups {
            let text = format!("{} {:?}", row.description, row.entity_id);
            assert!(!text.contains("0101801234") && !text.contains("0202020202"), "{text}");
        }
        Ok(())
    }
}
