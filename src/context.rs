//! The `Context` every command runs in: output, config, credentials, and an API client built
//! only when a command first needs one (on the `local` profile, that starts the embedded server).

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::OnceCell;

use crate::client::ApiClient;
use crate::config::{Config, LOCAL_PROFILE};
use crate::credentials::{Credentials, StoreChoice};
use crate::error::{CliError, ExitKind, Result};
use crate::output::Output;
use crate::server::engine::ModelSettings;
use crate::server::store::OpenError;
use crate::server::{self, ServerConfig, ServerHandle, SpawnError};

/// The workspace of the `local` profile, unless `PERSONA_WORKSPACE` names another.
pub const LOCAL_WORKSPACE: &str = server::LOCAL_WORKSPACE_ID;

pub struct Context {
    pub output: Output,
    pub config: Config,
    pub credentials: Credentials,
    requested_profile: Option<String>,
    client: OnceCell<ApiClient>,
    local_server: Mutex<Option<ServerHandle>>,
    /// The run this command started and is following, for the message when it is interrupted.
    followed_run: Mutex<Option<String>>,
}

impl Context {
    pub fn new(output: Output, config: Config, requested_profile: Option<String>) -> Result<Self> {
        let credentials = Credentials::new(&config.config_dir, StoreChoice::from_env()?);
        Ok(Context {
            output,
            config,
            credentials,
            requested_profile,
            client: OnceCell::new(),
            local_server: Mutex::new(None),
            followed_run: Mutex::new(None),
        })
    }

    /// The profile named with `--profile` or `PERSONA_PROFILE`, if any.
    pub fn requested_profile(&self) -> Option<&str> {
        self.requested_profile.as_deref()
    }

    /// Notes the run this command started, so that an interruption can say it goes on.
    pub fn follow_run(&self, run_id: &str) {
        let mut followed = self.followed_run.lock().unwrap_or_else(|p| p.into_inner());
        if followed.is_none() {
            *followed = Some(run_id.to_string());
        }
    }

    /// The error for Ctrl-C: a stop asked for is no error, so exit 130 with nothing printed,
    /// unless a run this command started goes on without it: that is named, with what to do.
    pub fn interruption(&self) -> CliError {
        let followed = self.followed_run.lock().unwrap_or_else(|p| p.into_inner());
        match followed.as_deref() {
            None => CliError::reported(ExitKind::Interrupted),
            Some(run_id) => CliError::new(
                ExitKind::Interrupted,
                format!("interrupted; run {run_id} was not canceled"),
            )
            .with_hint(format!(
                "follow it with `persona runs tail {run_id}`, or stop it with `persona runs cancel {run_id}`"
            )),
        }
    }

    /// The profile this command uses: `--profile`/`PERSONA_PROFILE`, the active one, or `local`.
    pub fn profile_name(&self) -> String {
        self.config.profile_name(self.requested_profile.as_deref())
    }

    /// A client for an explicit backend (used by `auth login` before any profile exists).
    pub fn client_for(
        &self,
        api_url: &str,
        key: Option<String>,
        workspace: Option<String>,
    ) -> Result<ApiClient> {
        ApiClient::new(api_url, key, workspace, self.output.clone())
    }

    /// The API client of the active backend, built on first use.
    pub async fn client(&self) -> Result<&ApiClient> {
        self.client.get_or_try_init(|| self.connect()).await
    }

    /// `PERSONA_API_URL` + `PERSONA_API_KEY`, else the profile: `local` starts the embedded
    /// server; a stored profile uses its URL, workspace and key.
    async fn connect(&self) -> Result<ApiClient> {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let profile = self.profile_name();
        let workspace_override = env("PERSONA_WORKSPACE");
        if let Some(api_url) = env("PERSONA_API_URL") {
            let Some(key) = crate::credentials::environment_key() else {
                return Err(CliError::new(
                    ExitKind::Auth,
                    "PERSONA_API_URL is set but PERSONA_API_KEY is not",
                )
                .with_hint(
                    "set PERSONA_API_KEY as well, or unset PERSONA_API_URL to use a profile",
                ));
            };
            return ApiClient::new(&api_url, Some(key), workspace_override, self.output.clone());
        }
        if profile == LOCAL_PROFILE {
            return self.start_embedded().await;
        }
        let stored = self.config.profile(&profile)?;
        let Some(found) = self.credentials.resolve(&profile)? else {
            return Err(CliError::new(
                ExitKind::Auth,
                format!("no API key is stored for the profile `{profile}`"),
            )
            .with_hint(format!(
                "log in with `persona auth login --profile {profile}`"
            )));
        };
        // Login and `auth status` warn about a key kept in the file; other commands say it
        // only with -v, so that a file chosen on purpose does not nag on every command.
        if let Some(warning) = &found.warning {
            self.output.debug(format!(
                "{warning}; using the key in {}",
                self.credentials.file_path().display()
            ));
        }
        let workspace = workspace_override.or_else(|| stored.workspace.clone());
        ApiClient::new(
            &stored.api_url,
            Some(found.key),
            workspace,
            self.output.clone(),
        )
    }

    /// Starts the embedded server on 127.0.0.1:0 over the local store.
    async fn start_embedded(&self) -> Result<ApiClient> {
        let mut config = ServerConfig::new(self.config.data_dir.clone());
        config.step_delay = step_delay_from_env()?;
        config.model = model_settings_from_env()?;
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let handle = server::spawn(config, addr).await.map_err(|err| match err {
            SpawnError::Store(OpenError::Io(path, err)) => CliError::io(
                ExitKind::General,
                format!("cannot use the data directory {}", path.display()),
                err,
            )
            .with_hint(
                "the local profile keeps its store there: fix its permissions, or choose \
                 another directory with PERSONA_DATA_DIR",
            ),
            err => CliError::general(err.to_string()).with_source(err),
        })?;
        self.output.debug(format!(
            "using the embedded server at {} over {}",
            handle.base_url(),
            self.config.data_dir.display()
        ));
        // PERSONA_WORKSPACE names another workspace of the local store (created when new).
        let workspace = match std::env::var("PERSONA_WORKSPACE")
            .ok()
            .filter(|w| !w.trim().is_empty())
        {
            Some(workspace) => {
                check_workspace_id(&workspace).map_err(|mut err| {
                    err.message = format!("PERSONA_WORKSPACE: {}", err.message);
                    err
                })?;
                workspace
            }
            None => LOCAL_WORKSPACE.to_string(),
        };
        let key = handle.session_key_for(&workspace).map_err(|err| {
            CliError::general(format!("cannot open the workspace {workspace}: {err}"))
        })?;
        let client = ApiClient::new(
            &handle.base_url(),
            Some(key),
            Some(workspace),
            self.output.clone(),
        )?;
        *self.local_server.lock().unwrap_or_else(|p| p.into_inner()) = Some(handle);
        Ok(client)
    }

    /// The address of the embedded server, started on first use, and a key of it for
    /// `workspace` (for `persona mcp serve` on the `local` profile, which speaks MCP to it
    /// rather than the API).
    pub async fn embedded_server(&self, workspace: &str) -> Result<(SocketAddr, String)> {
        self.client().await?;
        let server = self.local_server.lock().unwrap_or_else(|p| p.into_inner());
        let handle = server
            .as_ref()
            .ok_or_else(|| CliError::general("this profile does not use the embedded server"))?;
        let key = handle.session_key_for(workspace).map_err(|err| {
            CliError::general(format!("cannot open the workspace {workspace}: {err}"))
        })?;
        Ok((handle.addr, key))
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

/// A usage error unless `workspace` is a workspace id (`ws_` then letters, digits or `_`).
pub fn check_workspace_id(workspace: &str) -> Result<()> {
    if server::is_workspace_id(workspace) {
        Ok(())
    } else {
        Err(CliError::usage(format!(
            "`{workspace}` is not a workspace id: write ws_ followed by letters, digits or _"
        )))
    }
}

/// `PERSONA_MODEL_URL` (base URL of an OpenAI-compatible API), `PERSONA_MODEL` (the model) and
/// `PERSONA_MODEL_API_KEY` (optional): the model server the embedded server uses for chat and
/// generation. None when `PERSONA_MODEL_URL` is unset or empty: the offline engines.
pub fn model_settings_from_env() -> Result<Option<ModelSettings>> {
    let variable = |name: &str| {
        std::env::var(name)
            .ok()
            .filter(|value| !value.trim().is_empty())
    };
    let Some(url) = variable("PERSONA_MODEL_URL") else {
        return Ok(None);
    };
    let model = variable("PERSONA_MODEL").ok_or_else(|| {
        CliError::usage("PERSONA_MODEL_URL is set, so PERSONA_MODEL must name the model to use")
            .with_hint("for example PERSONA_MODEL=llama3.1 for Ollama, or unset PERSONA_MODEL_URL to use the offline engine")
    })?;
    let key = variable("PERSONA_MODEL_API_KEY");
    ModelSettings::new(&url, &model, key.as_deref())
        .map(Some)
        .map_err(|err| CliError::usage(format!("PERSONA_MODEL_URL: {err}")))
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
