//! `persona dev serve`: the embedded Persona API on an address, for MCP hosts, SDKs, curl and
//! tests. Prints its base URL on stdout, logs requests on stderr, stops on Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;

use crate::context::{Context, model_settings_from_env, step_delay_from_env};
use crate::error::{CliError, Result};
use crate::server::{self, ServerConfig, ratelimit::Plan};

#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  persona dev serve
  persona dev serve --addr 127.0.0.1:0 --data-dir ./tmp-store --plan free
  PERSONA_MODEL_URL=http://127.0.0.1:11434/v1 PERSONA_MODEL=llama3.1 persona dev serve

The first line on stdout is the base URL (http://127.0.0.1:PORT/v1). A development key that is
valid while the server runs is printed on stderr; `persona dev keys create` makes lasting ones.
Beside it, a one-time sign-in link: the browser that opens it may approve device logins
(`persona auth login`); `persona dev signin-url` makes a new one.

Chat and generation use the offline engine unless PERSONA_MODEL_URL names an OpenAI-compatible
model server (Ollama, vLLM, llama.cpp server, OpenAI), with PERSONA_MODEL and, if it needs one,
PERSONA_MODEL_API_KEY, as in the last example.")]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port
    #[arg(long, default_value = "127.0.0.1:8787")]
    addr: SocketAddr,

    /// The store's directory (default: PERSONA_DATA_DIR, else the platform data directory)
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,

    /// The plan whose rate limits apply
    #[arg(long, default_value = "unlimited", value_parser = ["free", "pro", "team", "unlimited"])]
    plan: String,

    /// Length of the rate-limit window in seconds
    #[arg(long, default_value_t = 60, value_name = "SECONDS", value_parser = clap::value_parser!(u32).range(1..=3600))]
    rate_window: u32,

    /// Pause after each pipeline step, in milliseconds, to watch runs live (default: PERSONA_STEP_DELAY_MS, else 0)
    #[arg(long, value_name = "MS")]
    step_delay_ms: Option<u64>,

    /// Seconds of idle time before an event stream sends a keepalive comment
    #[arg(long, default_value_t = 15, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=300))]
    keepalive: u64,

    /// Seconds a device login code (`persona auth login`) stays usable
    #[arg(long, default_value_t = 900, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    device_code_ttl: u64,

    /// Least number of seconds between two polls of one device login code
    #[arg(long, default_value_t = 5, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=60))]
    device_poll_interval: u64,

    /// Seconds between the attempts of a webhook delivery (one attempt more than waits, each
    /// wait give or take 20%), then the dead-letter queue
    #[arg(long, value_name = "SECONDS,...", value_delimiter = ',', default_value = "60,300,900,2400", value_parser = clap::value_parser!(u64).range(1..=86_400), num_args = 1)]
    webhook_retry_schedule: Vec<u64>,

    /// Deliver webhooks to loopback and private-network addresses even when listening on
    /// another address than loopback (link-local and metadata addresses stay refused)
    #[arg(long)]
    allow_private_webhooks: bool,

    /// Days webhook events and their deliveries are kept once delivered or dead-lettered (and
    /// can be replayed); events no webhook or listen stream wants are not kept at all
    #[arg(long, default_value_t = server::retention::DEFAULT_RETENTION_DAYS, value_name = "DAYS", value_parser = clap::value_parser!(u64).range(1..=3650))]
    retention_days: u64,
}

pub async fn run(ctx: &Context, args: ServeArgs) -> Result<()> {
    let mut config =
        ServerConfig::new(args.data_dir.unwrap_or_else(|| ctx.config.data_dir.clone()));
    config.plan = Plan::parse(&args.plan).unwrap_or(Plan::Unlimited);
    config.rate_window_seconds = args.rate_window;
    config.step_delay = match args.step_delay_ms {
        Some(ms) => std::time::Duration::from_millis(ms),
        None => step_delay_from_env()?,
    };
    config.keepalive = std::time::Duration::from_secs(args.keepalive);
    config.device_code_ttl = std::time::Duration::from_secs(args.device_code_ttl);
    config.device_poll_interval = std::time::Duration::from_secs(args.device_poll_interval);
    config.webhook_retry_schedule = args
        .webhook_retry_schedule
        .iter()
        .map(|seconds| std::time::Duration::from_secs(*seconds))
        .collect();
    config.allow_private_webhooks = args.allow_private_webhooks;
    config.retention =
        std::time::Duration::from_secs(args.retention_days * crate::clock::DAY as u64);
    config.log_requests = !ctx.output.quiet;
    config.model = model_settings_from_env()?;
    let engine = match &config.model {
        Some(model) => format!("model {} at {}", model.model, model.public_url()),
        None => "offline".to_string(),
    };
    let data_dir = config.data_dir.clone();
    let handle = server::spawn(config, args.addr).await.map_err(|err| {
        let in_use = matches!(&err, server::SpawnError::Bind(_, io) if io.kind() == std::io::ErrorKind::AddrInUse);
        let error = CliError::general(err.to_string());
        if in_use {
            error.with_hint("another program listens there: pick another port with --addr, or --addr 127.0.0.1:0 for any free one")
        } else {
            error
        }
    })?;
    ctx.output.line(handle.base_url());
    ctx.output.info(format!(
        "persona dev serve: store {}, engine {engine}",
        data_dir.display()
    ));
    ctx.output.notice(format!(
        "development key for workspace {} (valid while this server runs): {}",
        server::LOCAL_WORKSPACE_ID,
        handle.dev_key
    ));
    match handle.signin_url() {
        Ok(url) => ctx.output.notice(format!(
            "sign in to approve device logins (the link works once): {url}"
        )),
        Err(err) => {
            handle.shutdown().await;
            return Err(CliError::general(format!("cannot write the store: {err}")));
        }
    }
    ctx.output.info("Press Ctrl-C to stop.");
    wait_for_stop_signal().await;
    ctx.output.info("stopping…");
    handle.shutdown().await;
    Ok(())
}

async fn wait_for_stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
