//! The live values completion offers, from the active profile: on `local` straight from the
//! store (read only), else from its API; whatever is not found within [`BOUND`] is left out.

use std::ffi::OsStr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use clap_complete::CompletionCandidate;

use crate::client::{ApiClient, ListPersonas, ListRuns};
use crate::config::{Config, LOCAL_PROFILE};
use crate::context::{Context, LOCAL_WORKSPACE};
use crate::model::{PersonaRef, PersonaSummary, PersonaVersion, RunSummary, WebhookEndpoint};
use crate::model::{view, view_text};
use crate::output::{ColorChoice, Output};
use crate::server::store::{IdsOf, NameHint, Store};
use crate::server::{LOCAL_OWNER, is_workspace_id};

/// How long a completion may take from the start of the process: values not found by then
/// are left out, and the shell gets what the command tree alone offers.
const BOUND: Duration = Duration::from_millis(300);

/// The most values one completion offers.
const MOST: usize = 1000;

/// The most items asked of a remote API (one page).
const PAGE: u32 = 100;

/// When the completion began, and the profile named on the line being completed.
struct Request {
    started: Instant,
    profile: Option<String>,
}

static REQUEST: OnceLock<Request> = OnceLock::new();

/// Notes the start of a completion and the profile its words name (`--profile NAME`, else
/// `PERSONA_PROFILE`), for the values looked up after.
pub fn begin(words: &[std::ffi::OsString]) {
    let words: Vec<String> = words
        .iter()
        .map(|w| w.to_string_lossy().into_owned())
        .collect();
    let named =
        words
            .iter()
            .enumerate()
            .rev()
            .find_map(|(i, word)| match word.strip_prefix("--profile") {
                Some("") => words.get(i + 1).cloned(),
                Some(rest) => rest.strip_prefix('=').map(str::to_string),
                None => None,
            });
    let profile = named
        .filter(|name| !name.is_empty())
        .or_else(|| std::env::var("PERSONA_PROFILE").ok())
        .filter(|name| !name.is_empty());
    let _ = REQUEST.set(Request {
        started: Instant::now(),
        profile,
    });
}

/// What is looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wanted {
    Personas,
    ArchivedPersonas,
    Versions,
    Runs,
    Conversations,
    Webhooks,
}

/// Persona references: slugs (ids after `psn_`), and once a slug and `@` are typed, its versions.
pub fn persona_refs(current: &OsStr) -> Vec<CompletionCandidate> {
    let typed = current.to_string_lossy();
    match typed.split_once('@') {
        None => candidates(Wanted::Personas, &typed),
        Some(("", _)) => Vec::new(),
        Some((base, _)) => {
            let versions = within_bound(Wanted::Versions, base);
            let names = versions
                .into_iter()
                .filter_map(|(version, hint)| {
                    let version = version.parse().ok()?;
                    Some((PersonaRef::at(base, version).to_string(), hint))
                })
                .filter(|(name, _)| name.starts_with(typed.as_ref()));
            names.map(candidate).collect()
        }
    }
}

/// Persona references without a version: slugs (ids after `psn_`).
pub fn persona_slugs(current: &OsStr) -> Vec<CompletionCandidate> {
    candidates(Wanted::Personas, &current.to_string_lossy())
}

/// Archived personas' slugs (ids after `psn_`): what `unarchive` takes.
pub fn archived_persona_slugs(current: &OsStr) -> Vec<CompletionCandidate> {
    candidates(Wanted::ArchivedPersonas, &current.to_string_lossy())
}

/// Run ids, newest first.
pub fn run_ids(current: &OsStr) -> Vec<CompletionCandidate> {
    candidates(Wanted::Runs, &current.to_string_lossy())
}

/// Conversation ids, newest first (the API has no list of them: on the `local` profile only).
pub fn conversation_ids(current: &OsStr) -> Vec<CompletionCandidate> {
    candidates(Wanted::Conversations, &current.to_string_lossy())
}

/// Webhook endpoint ids, newest first.
pub fn webhook_ids(current: &OsStr) -> Vec<CompletionCandidate> {
    candidates(Wanted::Webhooks, &current.to_string_lossy())
}

/// Profile names: `local`, then those of the config file.
pub fn profile_names(current: &OsStr) -> Vec<CompletionCandidate> {
    let typed = current.to_string_lossy();
    let Ok(config) = Config::load() else {
        return Vec::new();
    };
    let active = config.profile_name(None);
    config
        .profile_names()
        .into_iter()
        .filter(|name| name.starts_with(typed.as_ref()))
        .map(|name| {
            let hint = if name == active { "active" } else { "" };
            candidate((name, hint.to_string()))
        })
        .collect()
}

fn candidates(wanted: Wanted, typed: &str) -> Vec<CompletionCandidate> {
    within_bound(wanted, typed)
        .into_iter()
        .filter(|(name, _)| name.starts_with(typed))
        .map(candidate)
        .collect()
}

fn candidate((name, hint): NameHint) -> CompletionCandidate {
    let candidate = CompletionCandidate::new(name);
    if hint.is_empty() {
        candidate
    } else {
        candidate.help(Some(hint.into()))
    }
}

/// The time left of [`BOUND`].
fn time_left() -> Duration {
    let started = REQUEST.get().map_or_else(Instant::now, |r| r.started);
    BOUND.saturating_sub(started.elapsed())
}

/// The values found within the time left, looked up on a thread of their own; nothing if
/// the lookup fails or takes longer (the process exits without waiting for it).
fn within_bound(wanted: Wanted, typed: &str) -> Vec<NameHint> {
    let (sender, receiver) = std::sync::mpsc::channel();
    let typed = typed.to_string();
    let spawned = std::thread::Builder::new().spawn(move || {
        let _ = sender.send(look_up(wanted, &typed));
    });
    if spawned.is_err() {
        return Vec::new();
    }
    receiver
        .recv_timeout(time_left())
        .ok()
        .flatten()
        .unwrap_or_default()
}

fn look_up(wanted: Wanted, typed: &str) -> Option<Vec<NameHint>> {
    let config = Config::load().ok()?;
    let requested = REQUEST.get().and_then(|r| r.profile.clone());
    let remote_by_environment =
        std::env::var("PERSONA_API_URL").is_ok_and(|v| !v.trim().is_empty());
    if !remote_by_environment && config.profile_name(requested.as_deref()) == LOCAL_PROFILE {
        from_store(&config, wanted, typed)
    } else {
        from_api(config, requested, wanted, typed)
    }
}

/// The `local` profile's values, read from its store as the embedded server would show them.
fn from_store(config: &Config, wanted: Wanted, typed: &str) -> Option<Vec<NameHint>> {
    let store = Store::open_read_only(&config.data_dir, time_left()).ok()??;
    let workspace = std::env::var("PERSONA_WORKSPACE")
        .ok()
        .filter(|w| is_workspace_id(w))
        .unwrap_or_else(|| LOCAL_WORKSPACE.to_string());
    let found = match wanted {
        Wanted::Personas | Wanted::ArchivedPersonas => {
            let archived = wanted == Wanted::ArchivedPersonas;
            store.persona_names(&workspace, LOCAL_OWNER, typed, archived, MOST)
        }
        Wanted::Versions => store
            .persona_version_numbers(&workspace, LOCAL_OWNER, typed)
            .map(|versions| numbered(versions.into_iter())),
        Wanted::Runs => store.newest_ids(IdsOf::Runs, &workspace, LOCAL_OWNER, typed, MOST),
        Wanted::Conversations => {
            store.newest_ids(IdsOf::Conversations, &workspace, LOCAL_OWNER, typed, MOST)
        }
        Wanted::Webhooks => store.webhook_endpoint_names(&workspace, typed, MOST),
    };
    found.ok()
}

/// Version numbers as names (the caller writes them `slug@vN`).
fn numbered(versions: impl Iterator<Item = i64>) -> Vec<NameHint> {
    versions.map(|v| (v.to_string(), String::new())).collect()
}

/// A remote profile's values: one page of the API's list, with the profile's key.
fn from_api(
    config: Config,
    requested: Option<String>,
    wanted: Wanted,
    typed: &str,
) -> Option<Vec<NameHint>> {
    if wanted == Wanted::Conversations {
        return None;
    }
    let output = Output::from_process(false, true, 0, ColorChoice::Never);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .ok()?;
    runtime.block_on(async {
        let ctx = Context::new(output, config, requested).ok()?;
        let client = ctx.client().await.ok()?;
        ask_api(client, wanted, typed).await
    })
}

async fn ask_api(client: &ApiClient, wanted: Wanted, typed: &str) -> Option<Vec<NameHint>> {
    Some(match wanted {
        Wanted::Personas | Wanted::ArchivedPersonas => {
            let archived = wanted == Wanted::ArchivedPersonas;
            let query = ListPersonas {
                q: (!typed.is_empty()).then(|| typed.to_string()),
                archived,
                limit: PAGE,
                ..ListPersonas::default()
            };
            let page = client.list_personas(&query, None).await.ok()?;
            let mut names: Vec<NameHint> = page
                .data
                .iter()
                .map(|raw| view_text::<PersonaSummary>(raw.get()))
                .filter(|persona| persona.archived_at.is_some() == archived)
                .filter_map(|persona| {
                    let name = if typed.starts_with("psn_") {
                        persona.id.clone()
                    } else {
                        persona.slug.clone()
                    };
                    Some((name?, persona.name().unwrap_or_default().to_string()))
                })
                .collect();
            names.sort();
            names
        }
        Wanted::Versions => {
            let page = client.persona_versions(typed).await.ok()?;
            let versions = page.data.iter().map(view::<PersonaVersion>);
            numbered(versions.filter_map(|v| v.version.and_then(|n| i64::try_from(n).ok())))
        }
        Wanted::Runs => {
            let query = ListRuns {
                limit: PAGE,
                ..ListRuns::default()
            };
            let page = client.list_runs(&query, None).await.ok()?;
            page.data
                .iter()
                .map(|raw| view_text::<RunSummary>(raw.get()))
                .filter_map(|run| Some((run.id?, run.status.unwrap_or_default())))
                .collect()
        }
        Wanted::Webhooks => {
            let page = client.list_webhooks(PAGE, None).await.ok()?;
            page.data
                .iter()
                .map(|raw| view_text::<WebhookEndpoint>(raw.get()))
                .filter_map(|endpoint| {
                    let url = endpoint.url.unwrap_or_else(|| "listen".to_string());
                    Some((endpoint.id?, url))
                })
                .collect()
        }
        Wanted::Conversations => return None,
    })
}
