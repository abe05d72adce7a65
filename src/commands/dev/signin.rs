//! `persona dev signin-url`: a new one-time link that signs a browser in to the activation page
//! of `persona dev serve`, made from a shell that can open the server's store.

use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use crate::context::Context;
use crate::error::{CliError, Result};
use crate::server::{self, signin, store::Store};

#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  persona dev signin-url
  persona dev signin-url --addr 127.0.0.1:49152 --data-dir ./tmp-store

`persona dev serve` prints such a link when it starts. Each works once, within a day; the
browser that opens it stays signed in for 12 hours and may approve device logins
(`persona auth login`) on the activation page. Without a browser: `persona dev keys approve CODE`.")]
pub struct SigninUrlArgs {
    /// The address the server listens on, as `persona dev serve --addr` got it
    #[arg(long, default_value = "127.0.0.1:8787", value_name = "HOST:PORT", value_parser = server_addr)]
    addr: String,

    /// The server's store directory (default: PERSONA_DATA_DIR, else the platform data directory)
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
}

/// `IP:PORT`, `[IPv6]:PORT` or `localhost:PORT`: the addresses the activation pages answer on.
fn server_addr(text: &str) -> std::result::Result<String, String> {
    let localhost = text
        .strip_prefix("localhost:")
        .is_some_and(|port| port.parse::<u16>().is_ok());
    if localhost || text.parse::<std::net::SocketAddr>().is_ok() {
        Ok(text.to_string())
    } else {
        Err("write the server's address as IP:PORT or localhost:PORT, e.g. 127.0.0.1:8787".into())
    }
}

pub fn run(ctx: &Context, args: SigninUrlArgs) -> Result<()> {
    let data_dir = args.data_dir.unwrap_or_else(|| ctx.config.data_dir.clone());
    let store = Store::open(&data_dir).map_err(|err| CliError::general(err.to_string()))?;
    let secret = signin::mint_link(&store, server::LOCAL_OWNER)
        .map_err(|err| CliError::general(format!("cannot write the store: {err}")))?;
    let url = signin::link_url(&args.addr, &secret);
    let report = json!({
        "url": url,
        "expires_in": signin::LINK_TTL_MS / 1000,
    });
    ctx.output.emit(&report, |out| {
        out.line(&url);
        out.info("Open it once, within a day, in the browser that should approve device logins.");
    });
    Ok(())
}
