//! Where the bridge connects and as whom: `--url`, else the profile's MCP URL (for `local`, the
//! embedded server of this process), the workspace, and a key read anew at each connection.

use reqwest::Url;

use super::remote::LinkError;
use crate::config::LOCAL_PROFILE;
use crate::context::{Context, LOCAL_WORKSPACE};
use crate::credentials::{Credentials, KeySource, StoreChoice, environment_key};
use crate::error::{CliError, Result};

/// The remote server, the workspace, and where the key comes from.
pub struct Target {
    pub url: Url,
    pub workspace: Option<String>,
    key: KeyProvider,
}

enum KeyProvider {
    /// `PERSONA_API_KEY`.
    Environment,
    /// The profile's key in the keyring or the credentials file.
    Stored {
        credentials: Credentials,
        profile: String,
    },
    /// The development key of the embedded server in this process.
    Embedded(String),
    /// No key is configured; requests go without one, and the reason is told on a 401.
    Missing(String),
}

/// A key for one connection, and where it came from, said for people.
pub struct Key {
    pub secret: Option<String>,
    pub source: String,
}

/// What is settled before the host's `initialize`: all of it, except on the `local` profile,
/// whose embedded server starts only then.
pub enum Plan {
    Ready(Target),
    Embedded { workspace: String },
}

/// Reads `--url`, `--workspace`, the environment and the profile. Does no network work.
pub fn plan(ctx: &Context, url: Option<&str>, workspace: Option<String>) -> Result<Plan> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let workspace = workspace.or_else(|| env("PERSONA_WORKSPACE"));
    let explicit = url.map(|u| checked_url(u, "--url")).transpose()?;
    let from_env = |missing: &str| {
        if environment_key().is_some() {
            KeyProvider::Environment
        } else {
            KeyProvider::Missing(missing.to_string())
        }
    };
    if let Some(api_url) = env("PERSONA_API_URL") {
        let url = match explicit {
            Some(url) => url,
            None => mcp_url_of(&checked_url(&api_url, "PERSONA_API_URL")?),
        };
        let key = from_env("no key: PERSONA_API_URL is set but PERSONA_API_KEY is not");
        return Ok(Plan::Ready(Target {
            url,
            workspace,
            key,
        }));
    }
    let profile = ctx.profile_name();
    if profile == LOCAL_PROFILE {
        return Ok(match explicit {
            Some(url) => Plan::Ready(Target {
                url,
                workspace,
                key: from_env(
                    "no key: set PERSONA_API_KEY to a key of that server (`persona dev keys create`)",
                ),
            }),
            None => {
                let workspace = workspace.unwrap_or_else(|| LOCAL_WORKSPACE.to_string());
                crate::context::check_workspace_id(&workspace)?;
                Plan::Embedded { workspace }
            }
        });
    }
    let stored = ctx.config.profile(&profile)?;
    let url = match (explicit, &stored.mcp_url) {
        (Some(url), _) => url,
        (None, Some(mcp_url)) => {
            checked_url(mcp_url, &format!("the profile `{profile}`'s mcp_url"))?
        }
        (None, None) => mcp_url_of(&checked_url(
            &stored.api_url,
            &format!("the profile `{profile}`'s api_url"),
        )?),
    };
    let key = if environment_key().is_some() {
        KeyProvider::Environment
    } else {
        KeyProvider::Stored {
            credentials: Credentials::new(&ctx.config.config_dir, StoreChoice::from_env()?),
            profile,
        }
    };
    Ok(Plan::Ready(Target {
        url,
        workspace: workspace.or_else(|| stored.workspace.clone()),
        key,
    }))
}

/// The target on the `local` profile: the embedded server of this process, started now.
pub async fn embedded(ctx: &Context, workspace: &str) -> Result<Target> {
    let (addr, key) = ctx.embedded_server(workspace).await?;
    let url = Url::parse(&format!("http://{addr}/mcp"))
        .map_err(|err| CliError::general(err.to_string()))?;
    Ok(Target {
        url,
        workspace: Some(workspace.to_string()),
        key: KeyProvider::Embedded(key),
    })
}

impl Target {
    /// The key to use now: read again each time, so a login while the host runs is picked up.
    pub async fn key(&self) -> Result<Key, LinkError> {
        match &self.key {
            KeyProvider::Environment => match environment_key() {
                Some(secret) => Ok(Key {
                    secret: Some(secret),
                    source: "PERSONA_API_KEY".to_string(),
                }),
                None => Err(LinkError::Auth("PERSONA_API_KEY is empty".to_string())),
            },
            KeyProvider::Stored {
                credentials,
                profile,
            } => {
                // The keyring may take up to 3 s; let the runtime's other tasks go on meanwhile.
                let found = tokio::task::block_in_place(|| credentials.resolve(profile))
                    .map_err(|err| LinkError::Auth(err.message))?;
                let Some(found) = found else {
                    return Err(LinkError::Auth(format!(
                        "no API key is stored for the profile `{profile}` (run `persona auth login --profile {profile}`)"
                    )));
                };
                let source = match found.source {
                    KeySource::File => format!(
                        "the credentials file {} (profile `{profile}`)",
                        credentials.file_path().display()
                    ),
                    KeySource::Keyring => format!("the OS keyring (profile `{profile}`)"),
                    other => other.describe().to_string(),
                };
                Ok(Key {
                    secret: Some(found.key),
                    source,
                })
            }
            KeyProvider::Embedded(secret) => Ok(Key {
                secret: Some(secret.clone()),
                source: "the embedded server's development key".to_string(),
            }),
            KeyProvider::Missing(reason) => Ok(Key {
                secret: None,
                source: reason.clone(),
            }),
        }
    }
}

/// `<origin>/mcp` of an API URL.
fn mcp_url_of(api_url: &Url) -> Url {
    let mut url = api_url.clone();
    url.set_path("/mcp");
    url.set_query(None);
    url.set_fragment(None);
    url
}

/// A URL the bridge may send a key to: https, or plain http to a loopback address.
fn checked_url(text: &str, what: &str) -> Result<Url> {
    let url = Url::parse(text.trim())
        .map_err(|err| CliError::usage(format!("{what} `{text}` is not a URL: {err}")))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        "http" => Err(CliError::usage(format!(
            "refusing to send an API key over plain HTTP to {}",
            url.host_str().unwrap_or("?")
        ))
        .with_hint(
            "use an https:// URL; plain http is only allowed for 127.0.0.1, ::1 and localhost",
        )),
        other => Err(CliError::usage(format!(
            "{what} `{text}` has the scheme `{other}`; use https:// (or http:// on loopback)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mcp_url_is_the_api_origin_plus_mcp() {
        let api = Url::parse("https://api.persona.dev/v1?x=1").unwrap();
        assert_eq!(mcp_url_of(&api).as_str(), "https://api.persona.dev/mcp");
    }

    #[test]
    fn keys_go_over_https_or_loopback_only() {
        assert!(checked_url("http://127.0.0.1:8787/mcp", "--url").is_ok());
        assert!(checked_url("http://localhost:1/mcp", "--url").is_ok());
        assert!(checked_url("http://[::1]:1/mcp", "--url").is_ok());
        assert!(checked_url("https://mcp.persona.dev/sse", "--url").is_ok());
        assert!(checked_url("http://mcp.persona.dev/sse", "--url").is_err());
        assert!(checked_url("ftp://x/", "--url").is_err());
    }
}
