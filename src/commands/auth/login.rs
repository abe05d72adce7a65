//! `persona auth login`: the device login (code and URL shown first, browser opened only where a
//! person can use one), or with `--with-key` a key from stdin or a hidden prompt; the key goes to
//! the OS keyring.

use std::io::{IsTerminal, Read};
use std::time::{Duration, Instant};

use clap::Args;
use indicatif::ProgressBar;
use serde_json::json;

use crate::client::{ApiClient, DeviceCodeRequest, Whoami, is_loopback};
use crate::config::{LOCAL_PROFILE, Profile};
use crate::context::Context;
use crate::credentials::{KeySource, environment_key, mask};
use crate::error::{CliError, ExitKind, Result};
use crate::model::CLI_SCOPES;

/// The hosted Persona API.
pub const DEFAULT_API_URL: &str = "https://api.persona.dev/v1";
/// The profile a login creates when none is named.
const DEFAULT_PROFILE: &str = "default";

#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  persona auth login                                   # the hosted API; opens a browser
  persona auth login --api-url http://127.0.0.1:8787/v1 --profile dev
  persona auth login --no-browser                      # over SSH: open the URL on any device
  persona auth login --with-key                        # paste a key (hidden) instead
  echo \"$PERSONA_API_KEY\" | persona auth login --with-key   # CI: a key from stdin
  persona auth login --scopes personas:read,chat:invoke   # a key that can do less

The one-time code and the URL are always printed first. A browser is opened only on a desktop
session: not with --no-browser, in CI, over SSH, without a terminal, or on Linux without
DISPLAY/WAYLAND_DISPLAY. The login asks for the scopes the CLI's commands use (personas:read,
personas:write, personas:fork, runs:read, runs:cancel, chat:invoke, chat:read, webhooks:manage)
unless --scopes names others.")]
pub struct LoginArgs {
    /// The API to log in to (default: the profile's, else the hosted API)
    #[arg(long, value_name = "URL")]
    api_url: Option<String>,

    /// The workspace to ask access to
    #[arg(long, value_name = "WS")]
    workspace: Option<String>,

    /// Comma-separated scopes to ask for (default: every scope the CLI's commands use)
    #[arg(long, value_delimiter = ',', value_name = "SCOPES")]
    scopes: Vec<String>,

    /// Never open a browser; print the URL to open on any device
    #[arg(long)]
    no_browser: bool,

    /// Log in with an API key instead: pasted at a hidden prompt on a terminal, else read from
    /// standard input (never from the command line)
    #[arg(long, conflicts_with_all = ["no_browser", "scopes"])]
    with_key: bool,

    /// Store the key in a credentials file (mode 0600) instead of the OS keyring
    #[arg(long)]
    insecure_storage: bool,
}

pub async fn run(ctx: &Context, args: LoginArgs) -> Result<()> {
    let profile = ctx
        .requested_profile()
        .unwrap_or(DEFAULT_PROFILE)
        .to_string();
    if profile == LOCAL_PROFILE {
        return Err(CliError::usage(
            "the `local` profile is the embedded server and needs no login",
        )
        .with_hint("log in under another name: `persona auth login --profile NAME`"));
    }
    let existing = ctx.config.file.profiles.get(&profile);
    let api_url = args
        .api_url
        .clone()
        .or_else(|| existing.map(|p| p.api_url.clone()))
        .unwrap_or_else(|| DEFAULT_API_URL.to_string());
    let api_url = api_url.trim_end_matches('/').to_string();
    let workspace = args
        .workspace
        .clone()
        .or_else(|| existing.and_then(|p| p.workspace.clone()));

    if !args.with_key
        && let Some(key) = environment_key()
    {
        let me = check_key(ctx, &api_url, &key, workspace.clone()).await?;
        ctx.output.info(format!(
            "PERSONA_API_KEY is set and valid for workspace {} ({}); it is used instead of stored \
             credentials. Unset it to log in with a stored key.",
            me.workspace.id,
            mask(&key)
        ));
        return Ok(());
    }

    let (key, me) = if args.with_key {
        let key = if ctx.output.can_prompt() {
            prompt_for_key()?
        } else {
            read_key_from_stdin()?
        };
        let me = check_key(ctx, &api_url, &key, workspace.clone()).await?;
        (key, me)
    } else {
        let scopes = if args.scopes.is_empty() {
            CLI_SCOPES.iter().map(|scope| scope.to_string()).collect()
        } else {
            args.scopes.clone()
        };
        let browser = browser_blocker(args.no_browser);
        device_login(ctx, &api_url, workspace.clone(), &scopes, browser).await?
    };
    save_login(ctx, &profile, &api_url, &key, &me, args.insecure_storage)
}

/// Why a browser will not be opened, or None when it may be.
fn browser_blocker(no_browser: bool) -> Option<&'static str> {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    if no_browser {
        Some("--no-browser")
    } else if set("CI") {
        Some("running in CI")
    } else if !std::io::stderr().is_terminal() || !std::io::stdin().is_terminal() {
        Some("no terminal")
    } else if set("SSH_CONNECTION") || set("SSH_TTY") {
        Some("an SSH session")
    } else if cfg!(target_os = "linux") && !set("DISPLAY") && !set("WAYLAND_DISPLAY") && !is_wsl() {
        Some("no graphical session")
    } else {
        None
    }
}

fn is_wsl() -> bool {
    std::env::var_os("WSL_DISTRO_NAME").is_some()
        || std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .is_ok_and(|r| r.to_lowercase().contains("microsoft"))
}

/// The key, pasted at a prompt that does not echo it.
fn prompt_for_key() -> Result<String> {
    let key = dialoguer::Password::new()
        .with_prompt("Paste your API key")
        .interact()
        .map_err(|err| {
            CliError::io(ExitKind::Usage, "cannot read the key", err.into()).with_hint(
                "pipe the key in instead: `echo \"$KEY\" | persona auth login --with-key`",
            )
        })?;
    let key = key.trim().to_string();
    if key.is_empty() {
        return Err(CliError::usage("no key was pasted"));
    }
    Ok(key)
}

fn read_key_from_stdin() -> Result<String> {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).map_err(|err| {
        CliError::usage(format!("cannot read the key from standard input: {err}")).with_source(err)
    })?;
    let key = text.trim().to_string();
    if key.is_empty() {
        return Err(
            CliError::usage("--with-key read nothing from standard input")
                .with_hint("pipe the key in: `echo \"$KEY\" | persona auth login --with-key`"),
        );
    }
    if key.contains(char::is_whitespace) {
        return Err(CliError::usage(
            "standard input holds more than one word; --with-key expects only the key",
        ));
    }
    Ok(key)
}

/// A 403 `auth.insufficient_scope` with the way to a key that has the scope: on a profile, the
/// login that asks for it (every scope the CLI uses, and the missing one); with
/// `PERSONA_API_KEY`, another key. Other errors are given back as they are.
pub fn explain_missing_scope(ctx: &Context, mut err: CliError) -> CliError {
    if err.code.as_deref() != Some("auth.insufficient_scope") {
        return err;
    }
    let scope = err
        .details
        .as_deref()
        .and_then(|details| details.get("required_scope"))
        .and_then(|scope| scope.as_str())
        .unwrap_or("the scope named above")
        .to_string();
    err.hint = Some(if environment_key().is_some() {
        format!(
            "the key in PERSONA_API_KEY lacks `{scope}`: set it to a key that has it, or unset it \
             and log in with `persona auth login`, which asks for every scope the CLI uses"
        )
    } else {
        let profile = ctx.profile_name();
        let scopes = if CLI_SCOPES.contains(&scope.as_str()) {
            String::new()
        } else {
            format!(" --scopes {},{scope}", CLI_SCOPES.join(","))
        };
        format!(
            "log in again for a key with `{scope}`: `persona auth login --profile {profile}{scopes}` \
             asks for every scope the CLI uses"
        )
    });
    err
}

/// Asks the server who `key` is; a refused key is an authentication error.
async fn check_key(
    ctx: &Context,
    api_url: &str,
    key: &str,
    workspace: Option<String>,
) -> Result<Whoami> {
    let client = ctx.client_for(api_url, Some(key.to_string()), workspace)?;
    client.whoami().await
}

/// The device login of contract §2: code first, then the browser where possible, then polling.
async fn device_login(
    ctx: &Context,
    api_url: &str,
    workspace: Option<String>,
    scopes: &[String],
    browser_blocker: Option<&str>,
) -> Result<(String, Whoami)> {
    let anonymous = ctx.client_for(api_url, None, None)?;
    let request = DeviceCodeRequest {
        client_id: "persona-cli".to_string(),
        scopes: Some(scopes.to_vec()),
        workspace,
    };
    let code = anonymous.start_device_login(&request).await?;
    // Checked before anything is shown: the server's URL is opened by a browser.
    let verification_url = verification_url(&code.verification_uri_complete)?;
    let output = &ctx.output;
    output.notice(format!(
        "! First copy your one-time code: {}",
        output.paint_err(&code.user_code, "1")
    ));
    output.notice(format!("  Then open {verification_url} and approve it."));
    match browser_blocker {
        Some(reason) => output.notice(format!(
            "  (Not opening a browser: {reason}. Open the URL on any device.)"
        )),
        None => {
            if let Err(err) = open::that_detached(verification_url.as_str()) {
                output.notice(format!(
                    "  Could not open a browser ({err}); open this URL yourself."
                ));
            }
        }
    }
    let token = poll(
        ctx,
        &anonymous,
        &code.device_code,
        code.interval,
        code.expires_in,
    )
    .await?;
    let me = check_key(
        ctx,
        api_url,
        &token.api_key,
        Some(token.workspace.id.clone()),
    )
    .await?;
    Ok((token.api_key, me))
}

/// The verification URL of a device login, which the CLI shows and opens: https, or plain http
/// to a loopback address. Any other URL from the server (`file:`, `javascript:`, a remote
/// plain-http page) is refused without being shown.
fn verification_url(text: &str) -> Result<url::Url> {
    let refuse = |why: String| {
        CliError::general(format!(
            "the server's verification URL {why}; refusing to show or open it"
        ))
        .with_hint("check the API URL (`persona auth status`), or log in with a key: `persona auth login --with-key`")
    };
    let url = url::Url::parse(text).map_err(|_| refuse("is not a URL".to_string()))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(refuse(format!(
            "is plain http to {}, not https",
            url.host_str().unwrap_or("no host")
        ))),
        other => Err(refuse(format!("has the scheme `{other}`, not https"))),
    }
}

/// The longest wait between two polls, and for one device login, whatever the server says.
const MAX_POLL_INTERVAL: Duration = Duration::from_secs(60);
const MAX_LOGIN_WAIT: Duration = Duration::from_secs(3600);

async fn poll(
    ctx: &Context,
    client: &ApiClient,
    device_code: &str,
    interval: u64,
    expires_in: u64,
) -> Result<crate::client::DeviceToken> {
    let deadline = Instant::now() + Duration::from_secs(expires_in).min(MAX_LOGIN_WAIT);
    let mut interval =
        Duration::from_secs(interval).clamp(Duration::from_secs(1), MAX_POLL_INTERVAL);
    let spinner = ctx.output.progress_allowed().then(|| {
        let spinner = ProgressBar::new_spinner();
        spinner.set_message("Waiting for approval in the browser…");
        spinner.enable_steady_tick(Duration::from_millis(90));
        spinner
    });
    let outcome = loop {
        if Instant::now() + interval > deadline {
            break Err(expired());
        }
        tokio::time::sleep(interval).await;
        match client.poll_device_login(device_code).await {
            Ok(token) => break Ok(token),
            Err(err) => match err.code.as_deref() {
                Some("auth.authorization_pending") => {}
                Some("auth.slow_down") => {
                    interval = (interval + Duration::from_secs(5)).min(MAX_POLL_INTERVAL);
                }
                Some("auth.access_denied") => {
                    break Err(CliError::new(
                        ExitKind::Auth,
                        "the login was denied in the browser",
                    ));
                }
                Some("auth.expired_token") => break Err(expired()),
                _ => break Err(err),
            },
        }
    };
    if let Some(spinner) = spinner {
        spinner.finish_and_clear();
    }
    outcome
}

fn expired() -> CliError {
    CliError::new(
        ExitKind::Auth,
        "the one-time code expired before it was approved",
    )
    .with_hint("run the same `persona auth login` command again (with its --api-url and --profile), and approve the new code in time")
}

/// Stores the key, records the profile, makes it active, and says where the key went.
fn save_login(
    ctx: &Context,
    profile: &str,
    api_url: &str,
    key: &str,
    me: &Whoami,
    insecure_storage: bool,
) -> Result<()> {
    let (storage, keyring_problem) = ctx.credentials.store(profile, key, insecure_storage)?;
    let mut config = ctx.config.clone();
    let previous = config
        .file
        .profiles
        .get(profile)
        .cloned()
        .unwrap_or_default();
    config.file.profiles.insert(
        profile.to_string(),
        Profile {
            api_url: api_url.to_string(),
            workspace: Some(me.workspace.id.clone()),
            ..previous
        },
    );
    config.file.active_profile = Some(profile.to_string());
    config.save()?;
    let output = &ctx.output;
    if let Some(problem) = &keyring_problem {
        output.warn(format!(
            "{problem}; the key is stored in {} (mode 0600) instead",
            ctx.credentials.file_path().display()
        ));
    }
    let report = json!({
        "profile": profile, "api_url": api_url, "workspace": me.workspace, "key_id": me.key_id,
        "key": mask(key), "storage": storage.describe(), "expires_at": me.expires_at, "scopes": me.scopes,
    });
    output.emit(&report, |out| {
        let place = match storage {
            KeySource::Keyring => "the OS keyring".to_string(),
            _ => ctx.credentials.file_path().display().to_string(),
        };
        out.success(format!(
            "Logged in to {api_url} as {} ({}) with profile `{profile}`; the key {} is stored in {place}",
            me.workspace.name,
            me.workspace.id,
            mask(key)
        ));
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http_verification_urls_are_shown_and_opened() {
        for good in [
            "https://persona.dev/cli/activate?user_code=WDJB-MJHT",
            "http://127.0.0.1:8787/cli/activate",
            "http://localhost:1/cli/activate",
            "http://[::1]:2/cli/activate",
        ] {
            assert_eq!(verification_url(good).unwrap().as_str(), good);
        }
        for bad in [
            "file:///etc/passwd",
            "javascript:alert(1)",
            "ssh://host/x",
            "http://evil.example/cli/activate",
            "http://10.0.0.1/cli/activate",
            "/cli/activate",
            "",
        ] {
            let err = verification_url(bad).unwrap_err();
            assert_eq!(err.kind, ExitKind::General, "{bad}");
            assert!(!err.message.contains("/cli/activate"), "{}", err.message);
        }
    }
}
