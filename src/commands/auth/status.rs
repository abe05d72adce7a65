//! `persona auth status`: every profile with its API, workspace, masked key, where the key comes
//! from, its expiry, and whether the server accepts it now; exit 4 when the active one cannot work.

use clap::Args;
use serde::Serialize;
use serde_json::json;

use crate::commands::format::or_dash;
use crate::config::LOCAL_PROFILE;
use crate::context::{Context, LOCAL_WORKSPACE};
use crate::credentials::{FoundKey, KeySource, environment_key, mask};
use crate::error::{CliError, ExitKind, Result};

/// Warn about a key that expires within this many days.
const EXPIRY_WARNING_DAYS: i64 = 14;

#[derive(Debug, Args)]
#[command(
    after_long_help = "Examples:\n  persona auth status\n  persona auth status --json\n\nExits 4 when the active profile's key is missing, revoked or expired."
)]
pub struct StatusArgs {}

/// What the check of one profile found.
struct ProfileStatus {
    report: ProfileReport,
    /// Why the profile cannot work, if it cannot.
    problem: Option<CliError>,
}

/// One profile as `--json` reports it in `profiles`, and as the view draws it.
#[derive(Debug, Clone, Default, Serialize)]
struct ProfileReport {
    api_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data_dir: Option<String>,
    workspace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    workspace_name: Option<String>,
    /// The key, masked; null when none is stored.
    key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    key_source: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    storage_warning: Option<String>,
    /// Whether the server accepts the key; null when it could not be asked.
    accepted: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    key_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scopes: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_in_days: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    profile: String,
    active: bool,
}

pub async fn run(ctx: &Context, _args: StatusArgs) -> Result<()> {
    let active = ctx.profile_name();
    let env_url = std::env::var("PERSONA_API_URL")
        .ok()
        .filter(|v| !v.trim().is_empty());
    let mut statuses = Vec::new();
    if let Some(url) = &env_url {
        statuses.push(("environment".to_string(), check_environment(ctx, url).await));
    }
    for name in ctx.config.profile_names() {
        let status = if name == LOCAL_PROFILE {
            local_status(ctx)
        } else {
            remote_status(ctx, &name, name == active && env_url.is_none()).await
        };
        statuses.push((name, status));
    }
    let active_name = if env_url.is_some() {
        "environment".to_string()
    } else {
        active.clone()
    };
    for (name, status) in &mut statuses {
        status.report.profile = name.clone();
        status.report.active = *name == active_name;
    }
    let profiles: Vec<&ProfileReport> = statuses.iter().map(|(_, status)| &status.report).collect();
    let report = json!({ "active_profile": active_name, "profiles": profiles });
    ctx.output.emit(&report, |_| {
        for (_, status) in &statuses {
            render(ctx, &status.report);
        }
    });
    let active_status = statuses.iter().find(|(name, _)| *name == active_name);
    match active_status {
        None => Err(CliError::new(
            ExitKind::Auth,
            format!("the active profile `{active_name}` does not exist"),
        )
        .with_hint("log in with `persona auth login`, or `persona auth switch local`")),
        Some((_, status)) => match &status.problem {
            // Shown with its profile above: only the exit code remains to give.
            Some(problem) => Err(problem.clone().into_reported()),
            None => Ok(()),
        },
    }
}

fn local_status(ctx: &Context) -> ProfileStatus {
    ProfileStatus {
        report: ProfileReport {
            api_url: Some("embedded".to_string()),
            data_dir: Some(ctx.config.data_dir.display().to_string()),
            workspace: Some(LOCAL_WORKSPACE.to_string()),
            key_source: Some(KeySource::Embedded.describe()),
            accepted: Some(true),
            ..ProfileReport::default()
        },
        problem: None,
    }
}

async fn check_environment(ctx: &Context, url: &str) -> ProfileStatus {
    let key = environment_key().map(|key| FoundKey {
        key,
        source: KeySource::Environment,
        warning: None,
    });
    let workspace = std::env::var("PERSONA_WORKSPACE").ok();
    check(ctx, url, workspace, key).await
}

async fn remote_status(ctx: &Context, name: &str, active: bool) -> ProfileStatus {
    let Some(profile) = ctx.config.file.profiles.get(name) else {
        return ProfileStatus {
            report: ProfileReport::default(),
            problem: Some(CliError::new(
                ExitKind::Auth,
                format!("no profile `{name}`"),
            )),
        };
    };
    let key = match (active, environment_key()) {
        (true, Some(key)) => Ok(Some(FoundKey {
            key,
            source: KeySource::Environment,
            warning: None,
        })),
        _ => ctx.credentials.stored(name),
    };
    match key {
        Ok(key) => check(ctx, &profile.api_url, profile.workspace.clone(), key).await,
        Err(err) => ProfileStatus {
            report: ProfileReport {
                api_url: Some(profile.api_url.clone()),
                workspace: profile.workspace.clone(),
                error: Some(err.message.clone()),
                ..ProfileReport::default()
            },
            problem: Some(err),
        },
    }
}

/// Asks the server whether `key` works, and describes the answer.
async fn check(
    ctx: &Context,
    api_url: &str,
    workspace: Option<String>,
    key: Option<FoundKey>,
) -> ProfileStatus {
    let mut report = ProfileReport {
        api_url: Some(api_url.to_string()),
        workspace: workspace.clone(),
        ..ProfileReport::default()
    };
    let Some(found) = key else {
        report.accepted = Some(false);
        return ProfileStatus {
            report,
            problem: Some(
                CliError::new(ExitKind::Auth, "no API key is stored for this profile")
                    .with_hint("log in with `persona auth login`"),
            ),
        };
    };
    report.key = Some(mask(&found.key));
    report.key_source = Some(found.source.describe());
    report.storage_warning = found.warning.clone();
    let client = match ctx.client_for(api_url, Some(found.key.clone()), workspace) {
        Ok(client) => client,
        Err(err) => {
            report.error = Some(err.message.clone());
            return ProfileStatus {
                report,
                problem: Some(err),
            };
        }
    };
    match client.whoami().await {
        Ok(me) => {
            report.accepted = Some(true);
            report.workspace = Some(me.workspace.id);
            report.workspace_name = Some(me.workspace.name);
            report.key_id = Some(me.key_id);
            report.mode = Some(me.mode);
            report.scopes = Some(me.scopes);
            report.owner = me.owner;
            report.expires_in_days = crate::clock::days_until(&me.expires_at);
            report.expires_at = Some(me.expires_at);
            ProfileStatus {
                report,
                problem: None,
            }
        }
        Err(err) => {
            report.accepted = (err.kind == ExitKind::Auth).then_some(false);
            report.error = Some(err.message.clone());
            ProfileStatus {
                report,
                problem: Some(err),
            }
        }
    }
}

fn render(ctx: &Context, report: &ProfileReport) {
    let output = &ctx.output;
    let name = report.profile.as_str();
    let marker = if report.active {
        output.paint("*", "32")
    } else {
        " ".to_string()
    };
    let text = |field: &Option<String>| or_dash(field.as_deref());
    if name == LOCAL_PROFILE {
        output.line(format!(
            "{marker} {}  embedded server over {}",
            output.paint(name, "1"),
            text(&report.data_dir)
        ));
        output.line("    no key needed; the default until you log in elsewhere");
        return;
    }
    output.line(format!(
        "{marker} {}  {}  workspace {}",
        output.paint(name, "1"),
        text(&report.api_url),
        text(&report.workspace)
    ));
    let Some(key) = &report.key else {
        output.line("    no key stored: log in with `persona auth login`");
        return;
    };
    let mut key_line = format!("    key {key} from {}", or_dash(report.key_source));
    if let Some(expires) = &report.expires_at {
        key_line.push_str(&format!("; expires {expires}"));
        if let Some(days) = report.expires_in_days {
            key_line.push_str(&format!(" (in {})", day_count(days)));
        }
    }
    output.line(key_line);
    if report.key_source == Some(KeySource::File.describe()) {
        output.warn(format!(
            "the key of `{name}` is in a plain file ({}), not the OS keyring",
            ctx.credentials.file_path().display()
        ));
    }
    if let Some(warning) = &report.storage_warning {
        output.warn(warning);
    }
    if let Some(days) = report.expires_in_days
        && days < EXPIRY_WARNING_DAYS
    {
        output.warn(format!(
            "the key of `{name}` expires in {}: log in again to get a new one",
            day_count(days)
        ));
    }
    match report.accepted {
        Some(true) => output.line(match &report.owner {
            Some(owner) => format!(
                "    {} accepted by the server, as owner {owner}",
                output.paint("✓", "32")
            ),
            None => format!("    {} accepted by the server", output.paint("✓", "32")),
        }),
        Some(false) => output.line(format!(
            "    {} refused: {}",
            output.paint("✗", "31"),
            text(&report.error)
        )),
        None => output.line(format!("    ? could not check: {}", text(&report.error))),
    }
}

/// `1 day`, `3 days`, `0 days`.
fn day_count(days: i64) -> String {
    if days == 1 {
        "1 day".to_string()
    } else {
        format!("{days} days")
    }
}
