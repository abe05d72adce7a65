//! `persona auth status`: every profile with its API, workspace, masked key, where the key comes
//! from, its expiry, and whether the server accepts it now; exit 4 when the active one cannot work.

use clap::Args;
use serde_json::{Value, json};

use crate::clock;
use crate::config::LOCAL_PROFILE;
use crate::context::Context;
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
    report: Value,
    /// Why the profile cannot work, if it cannot.
    problem: Option<CliError>,
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
    let output = &ctx.output;
    if output.json {
        let profiles: Vec<Value> = statuses
            .iter()
            .map(|(name, status)| {
                let mut report = status.report.clone();
                report["profile"] = json!(name);
                report["active"] = json!(*name == active_name);
                report
            })
            .collect();
        output.json_value(&json!({ "active_profile": active_name, "profiles": profiles }));
    } else {
        for (name, status) in &statuses {
            render(ctx, name, *name == active_name, &status.report);
        }
    }
    let active_status = statuses.iter().find(|(name, _)| *name == active_name);
    match active_status {
        None => Err(CliError::new(
            ExitKind::Auth,
            format!("the active profile `{active_name}` does not exist"),
        )
        .with_hint("log in with `persona auth login`, or `persona auth switch local`")),
        Some((_, status)) => match &status.problem {
            Some(problem) => Err(CliError {
                message: String::new(),
                ..problem.clone()
            }),
            None => Ok(()),
        },
    }
}

fn local_status(ctx: &Context) -> ProfileStatus {
    ProfileStatus {
        report: json!({
            "api_url": "embedded", "data_dir": ctx.config.data_dir.display().to_string(),
            "workspace": crate::server::LOCAL_WORKSPACE_ID, "key": null, "key_source": KeySource::Embedded.describe(),
            "accepted": true,
        }),
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
            report: json!({}),
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
            report: json!({ "api_url": profile.api_url, "workspace": profile.workspace, "error": err.message }),
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
    let mut report = json!({ "api_url": api_url, "workspace": workspace });
    let Some(found) = key else {
        report["key"] = Value::Null;
        report["accepted"] = json!(false);
        return ProfileStatus {
            report,
            problem: Some(
                CliError::new(ExitKind::Auth, "no API key is stored for this profile")
                    .with_hint("log in with `persona auth login`"),
            ),
        };
    };
    report["key"] = json!(mask(&found.key));
    report["key_source"] = json!(found.source.describe());
    if let Some(warning) = &found.warning {
        report["storage_warning"] = json!(warning);
    }
    let client = match ctx.client_for(api_url, Some(found.key.clone()), workspace) {
        Ok(client) => client,
        Err(err) => {
            report["error"] = json!(err.message);
            return ProfileStatus {
                report,
                problem: Some(err),
            };
        }
    };
    match client.whoami().await {
        Ok(me) => {
            report["accepted"] = json!(true);
            report["workspace"] = json!(me.workspace.id);
            report["workspace_name"] = json!(me.workspace.name);
            report["key_id"] = json!(me.key_id);
            report["mode"] = json!(me.mode);
            report["scopes"] = json!(me.scopes);
            report["owner"] = json!(me.owner);
            report["expires_at"] = json!(me.expires_at);
            if let Some(days) = clock::days_until(&me.expires_at) {
                report["expires_in_days"] = json!(days);
            }
            ProfileStatus {
                report,
                problem: None,
            }
        }
        Err(err) => {
            report["accepted"] = if err.kind == ExitKind::Auth {
                json!(false)
            } else {
                Value::Null
            };
            report["error"] = json!(err.message);
            ProfileStatus {
                report,
                problem: Some(err),
            }
        }
    }
}

fn render(ctx: &Context, name: &str, active: bool, report: &Value) {
    let output = &ctx.output;
    let marker = if active {
        output.paint("*", "32")
    } else {
        " ".to_string()
    };
    let text = |v: &Value| {
        v.as_str()
            .map(str::to_string)
            .unwrap_or_else(|| "-".to_string())
    };
    if name == LOCAL_PROFILE {
        output.line(format!(
            "{marker} {}  embedded server over {}",
            output.paint(name, "1"),
            text(&report["data_dir"])
        ));
        output.line("    no key needed; the default until you log in elsewhere");
        return;
    }
    output.line(format!(
        "{marker} {}  {}  workspace {}",
        output.paint(name, "1"),
        text(&report["api_url"]),
        text(&report["workspace"])
    ));
    if report["key"].is_null() {
        output.line("    no key stored: log in with `persona auth login`");
        return;
    }
    let mut key_line = format!(
        "    key {} from {}",
        text(&report["key"]),
        text(&report["key_source"])
    );
    if let Some(expires) = report["expires_at"].as_str() {
        key_line.push_str(&format!("; expires {expires}"));
        if let Some(days) = report["expires_in_days"].as_i64() {
            key_line.push_str(&format!(" (in {})", day_count(days)));
        }
    }
    output.line(key_line);
    if report["key_source"] == KeySource::File.describe() {
        output.warn(format!(
            "the key of `{name}` is in a plain file ({}), not the OS keyring",
            ctx.credentials.file_path().display()
        ));
    }
    if let Some(warning) = report["storage_warning"].as_str() {
        output.warn(warning);
    }
    if let Some(days) = report["expires_in_days"].as_i64()
        && days < EXPIRY_WARNING_DAYS
    {
        output.warn(format!(
            "the key of `{name}` expires in {}: log in again to get a new one",
            day_count(days)
        ));
    }
    match report["accepted"].as_bool() {
        Some(true) => output.line(match report["owner"].as_str() {
            Some(owner) => format!(
                "    {} accepted by the server, as owner {owner}",
                output.paint("✓", "32")
            ),
            None => format!("    {} accepted by the server", output.paint("✓", "32")),
        }),
        Some(false) => output.line(format!(
            "    {} refused: {}",
            output.paint("✗", "31"),
            text(&report["error"])
        )),
        None => output.line(format!("    ? could not check: {}", text(&report["error"]))),
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
