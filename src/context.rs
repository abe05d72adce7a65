//! The `Context` every command runs in: output, config, credentials, and an API client built
//! only when a command first needs one (on the `local` profile, that starts the embedded server).

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::OnceCell;

use crate::client::ApiClient;
use crate::config::{Config, LOCAL_PROFILE};
use crate::credentials::{CredentialStore, FileCredentials, KeySource, resolve_key};
use crate::error::{CliError, ExitKind, Result};
use crate::output::Output;
use crate::server::{self, ServerConfig, ServerHandle};

/// Which backend a client talks to, for messages and `--verbose`.
#[derive(Debug, Clone)]
pub struct Backend {
    pub profile: String,
    pub key_source: KeySource,
}

pub struct Context {
    pub output: Output,
    pub config: Config,
    credentials: Box<dyn CredentialStore>,
    requested_profile: Option<String>,
    client: OnceCell<(ApiClient, Backend)>,
    local_server: Mutex<Option<ServerHandle>>,
}

impl Context {
    pub fn new(output: Output, config: Config, requested_profile: Option<String>) -> Self {
        let credentials = Box::new(FileCredentials::new(&config.config_dir));
        Context {
            output,
            config,
            credentials,
            requested_profile,
            client: OnceCell::new(),
            local_server: Mutex::new(None),
        }
    }

    /// The API client of the active backend, built on first use.
    pub async fn client(&self) -> Result<&ApiClient> {
        let (client, _) = self.client.get_or_try_init(|| self.connect()).await?;
        Ok(client)
    }

    /// The backend behind `client()`.
    pub async fn backend(&self) -> Result<&Backend> {
        let (_, backend) = self.client.get_or_try_init(|| self.connect()).await?;
        Ok(backend)
    }

    async fn connect(&self) -> Result<(ApiClient, Backend)> {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let profile = self.config.profile_name(self.requested_profile.as_deref());
        let workspace_override = env("PERSONA_WORKSPACE");
        if let Some(api_url) = env("PERSONA_API_URL") {
            let Some((key, key_source)) = resolve_key(self.credentials.as_ref(), &profile)? else {
                return Err(CliError::new(
                    ExitKind::Auth,
                    "PERSONA_API_URL is set but no API key was found",
                )
                .with_hint("set PERSONA_API_KEY as well"));
            };
            let client =
                ApiClient::new(&api_url, Some(key), workspace_override, self.output.clone())?;
            return Ok((
                client,
                Backend {
                    profile: "environment".into(),
                    key_source,
                },
            ));
        }
        if profile == LOCAL_PROFILE {
            return self.start_embedded().await;
        }
        let stored = self.config.profile(&profile)?;
        let Some((key, key_source)) = resolve_key(self.credentials.as_ref(), &profile)? else {
            return Err(CliError::new(
                ExitKind::Auth,
                format!("no API key is stored for the profile `{profile}`"),
            )
            .with_hint(format!(
                "log in with `persona auth login --profile {profile}`"
            )));
        };
        let workspace = workspace_override.or_else(|| stored.workspace.clone());
        let client = ApiClient::new(&stored.api_url, Some(key), workspace, self.output.clone())?;
        Ok((
            client,
            Backend {
                profile,
                key_source,
            },
        ))
    }

    /// Starts the embedded server on 127.0.0.1:0 over the local store.
    async fn start_embedded(&self) -> Result<(ApiClient, Backend)> {
        let mut config = ServerConfig::new(self.config.data_dir.clone());
        config.step_delay = step_delay_from_env()?;
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let handle = server::spawn(config, addr)
            .await
            .map_err(|err| CliError::general(err.to_string()))?;
        self.output.debug(format!(
            "using the embedded server at {} over {}",
            handle.base_url(),
            self.config.data_dir.display()
        ));
        let client = ApiClient::new(
            &handle.base_url(),
            Some(handle.dev_key.clone()),
            Some(server::LOCAL_WORKSPACE_ID.to_string()),
            self.output.clone(),
        )?;
        *self.local_server.lock().unwrap_or_else(|p| p.into_inner()) = Some(handle);
        Ok((
            client,
            Backend {
                profile: LOCAL_PROFILE.into(),
                key_source: KeySource::Embedded,
            },
        ))
    }

    /// Stops the embedded server, if one was started, handing unfinished runs to the next one.
    pub async fn finish(self) {
        let handle = self
            .local_server
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(handle) = handle {
            handle.shutdown().await;
        }
    }
}

/// `PERSONA_STEP_DELAY_MS`: a pause after each pipeline step of the embedded server, to watch
/// runs live in demos and tests.
pub fn step_delay_from_env() -> Result<Duration> {
    match std::env::var("PERSONA_STEP_DELAY_MS") {
        Err(_) => Ok(Duration::ZERO),
        Ok(text) if text.trim().is_empty() => Ok(Duration::ZERO),
        Ok(text) => text
            .trim()
            .parse::<u64>()
            .map(Duration::from_millis)
            .map_err(|_| {
                CliError::usage(format!(
                    "PERSONA_STEP_DELAY_MS must be a number of milliseconds, not `{text}`"
                ))
            }),
    }
}
