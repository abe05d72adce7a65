//! `persona mcp config`: the block an MCP host's configuration needs to start the bridge, with the
//! absolute path of this binary; `--install` merges it into the host's file after a backup.

use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::{Map, Value, json};

use crate::context::Context;
use crate::error::{CliError, Result};
use crate::persona_file::write_atomic;

/// The name of the entry in the host's list of servers.
const ENTRY: &str = "persona";

#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  persona mcp config --workspace ws_acme_studio
  persona mcp config --client cursor --install

Config files --install writes:
  claude-desktop  Linux ~/.config/Claude/claude_desktop_config.json, macOS ~/Library/Application
                  Support/Claude/claude_desktop_config.json, Windows %APPDATA%\\Claude\\...
  cursor          ~/.cursor/mcp.json
  windsurf        ~/.codeium/windsurf/mcp_config.json
  vscode          the user's mcp.json (Linux ~/.config/Code/User/mcp.json)
The file is saved as FILE.bak first; other servers in it are kept. No key is ever written.")]
pub struct ConfigArgs {
    /// The MCP host to configure
    #[arg(long, value_enum, default_value_t = Host::ClaudeDesktop)]
    client: Host,

    /// The workspace the bridge exposes (default: the profile's when the bridge starts)
    #[arg(long, value_name = "WS")]
    workspace: Option<String>,

    /// Merge the entry into the host's config file instead of printing it
    #[arg(long)]
    install: bool,
}

/// `--client`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Host {
    ClaudeDesktop,
    Cursor,
    Windsurf,
    Vscode,
}

impl Host {
    fn name(self) -> &'static str {
        match self {
            Host::ClaudeDesktop => "Claude Desktop",
            Host::Cursor => "Cursor",
            Host::Windsurf => "Windsurf",
            Host::Vscode => "VS Code",
        }
    }

    /// The key that holds the servers: VS Code's `servers`, everyone else's `mcpServers`.
    fn servers_key(self) -> &'static str {
        match self {
            Host::Vscode => "servers",
            _ => "mcpServers",
        }
    }

    /// Where the host keeps its user-wide MCP configuration on this system.
    fn config_path(self) -> Option<PathBuf> {
        let dirs = directories::BaseDirs::new()?;
        Some(match self {
            // config_dir: ~/.config (XDG), ~/Library/Application Support, %APPDATA%.
            Host::ClaudeDesktop => dirs
                .config_dir()
                .join("Claude")
                .join("claude_desktop_config.json"),
            Host::Cursor => dirs.home_dir().join(".cursor").join("mcp.json"),
            Host::Windsurf => dirs
                .home_dir()
                .join(".codeium")
                .join("windsurf")
                .join("mcp_config.json"),
            Host::Vscode => dirs.config_dir().join("Code").join("User").join("mcp.json"),
        })
    }
}

pub async fn run(ctx: &Context, args: ConfigArgs) -> Result<()> {
    // The bridge would refuse it: the host could never start it.
    if let Some(workspace) = &args.workspace {
        crate::context::check_workspace_id(workspace)?;
    }
    let entry = entry(ctx, args.client, args.workspace.as_deref())?;
    let output = &ctx.output;
    if !args.install {
        let block = json!({ args.client.servers_key(): { ENTRY: entry } });
        output.line(serde_json::to_string_pretty(&block).unwrap_or_default());
        return Ok(());
    }
    let path = args.client.config_path().ok_or_else(|| {
        CliError::general(format!(
            "cannot tell where {} keeps its configuration here (no home directory)",
            args.client.name()
        ))
        .with_hint("run without --install and paste the block into the host's settings")
    })?;
    let backup = install(&path, args.client.servers_key(), entry.clone())?;
    if output.json {
        output.json_value(&json!({
            "path": path, "backup": backup, "server": ENTRY, "entry": entry,
        }));
    }
    let saved = backup
        .map(|b| format!(" (the previous file is saved as {})", b.display()))
        .unwrap_or_default();
    output.success(format!(
        "added the `{ENTRY}` server to {}{saved}; restart {} to load it",
        path.display(),
        args.client.name()
    ));
    Ok(())
}

/// The server entry: this binary, `mcp serve`, and the settings a host's bare environment lacks.
fn entry(ctx: &Context, host: Host, workspace: Option<&str>) -> Result<Value> {
    let exe = std::env::current_exe()
        .and_then(|path| path.canonicalize())
        .map_err(|err| CliError::general(format!("cannot find this program's path: {err}")))?;
    let mut args = vec!["mcp".to_string(), "serve".to_string()];
    if let Some(profile) = ctx.requested_profile() {
        args.extend(["--profile".to_string(), profile.to_string()]);
    }
    if let Some(workspace) = workspace {
        args.extend(["--workspace".to_string(), workspace.to_string()]);
    }
    let mut entry = Map::new();
    if host == Host::Vscode {
        entry.insert("type".into(), json!("stdio"));
    }
    entry.insert("command".into(), json!(exe.to_string_lossy()));
    entry.insert("args".into(), json!(args));
    // Where the profiles and the store are, when they are not in the default places. Never a key.
    let env: Map<String, Value> = [
        "PERSONA_CONFIG_DIR",
        "PERSONA_DATA_DIR",
        "PERSONA_CREDENTIAL_STORE",
    ]
    .iter()
    .filter_map(|name| {
        let value = std::env::var(name).ok().filter(|v| !v.trim().is_empty())?;
        Some((name.to_string(), json!(value)))
    })
    .collect();
    if !env.is_empty() {
        entry.insert("env".into(), Value::Object(env));
    }
    Ok(Value::Object(entry))
}

/// Puts `entry` under `servers_key` of the JSON file at `path`, keeping everything else, after
/// copying the file to `<path>.bak`. Returns the backup's path when there was a file.
fn install(path: &Path, servers_key: &str, entry: Value) -> Result<Option<PathBuf>> {
    let shown = path.display();
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
        Err(err) => return Err(CliError::general(format!("cannot read {shown}: {err}"))),
    };
    let mut root = match existing.as_deref().map(str::trim) {
        None | Some("") => Value::Object(Map::new()),
        Some(text) => serde_json::from_str::<Value>(text).map_err(|err| {
            CliError::general(format!(
                "{shown} is not plain JSON ({err}); it was left as it is"
            ))
            .with_hint("add the block from `persona mcp config` by hand")
        })?,
    };
    let Some(object) = root.as_object_mut() else {
        return Err(CliError::general(format!(
            "{shown} does not hold a JSON object; it was left as it is"
        )));
    };
    let servers = object
        .entry(servers_key)
        .or_insert_with(|| Value::Object(Map::new()));
    let Some(servers) = servers.as_object_mut() else {
        return Err(CliError::general(format!(
            "`{servers_key}` in {shown} is not an object; it was left as it is"
        )));
    };
    servers.insert(ENTRY.to_string(), entry);
    let text = serde_json::to_string_pretty(&root).unwrap_or_default() + "\n";
    let write_error =
        |err: std::io::Error| CliError::general(format!("cannot write {shown}: {err}"));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(write_error)?;
    }
    let backup = match existing {
        Some(original) => {
            let mut name = path.as_os_str().to_owned();
            name.push(".bak");
            let backup = PathBuf::from(name);
            write_atomic(&backup, &original).map_err(|err| {
                CliError::general(format!(
                    "cannot write the backup {}: {err}",
                    backup.display()
                ))
            })?;
            Some(backup)
        }
        None => None,
    };
    write_atomic(path, &text).map_err(write_error)?;
    Ok(backup)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn install_keeps_other_servers_and_backs_up() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mcp.json");
        let original = r#"{"theme": "dark", "mcpServers": {"other": {"command": "x"}}}"#;
        std::fs::write(&path, original).unwrap();
        let backup = install(&path, "mcpServers", json!({"command": "/bin/persona"})).unwrap();
        assert_eq!(std::fs::read_to_string(backup.unwrap()).unwrap(), original);
        let merged: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(merged["theme"], "dark");
        assert_eq!(merged["mcpServers"]["other"]["command"], "x");
        assert_eq!(merged["mcpServers"]["persona"]["command"], "/bin/persona");
    }

    #[test]
    fn install_refuses_what_it_cannot_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mcp.json");
        std::fs::write(&path, "{ // a comment\n}").unwrap();
        assert!(install(&path, "servers", json!({})).is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{ // a comment\n}");
        let fresh = dir.path().join("new").join("mcp.json");
        assert!(install(&fresh, "servers", json!({})).unwrap().is_none());
        assert!(fresh.exists());
    }
}
