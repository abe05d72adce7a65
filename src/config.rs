//! Profiles and directories: `config.yml` in `PERSONA_CONFIG_DIR` (else the platform config
//! directory), the data directory of the local store, and which backend a command talks to.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{CliError, ExitKind, Result};

/// The profile that needs no account: the embedded server over the local store.
pub const LOCAL_PROFILE: &str = "local";

/// A named remote backend.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub api_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mcp_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace: Option<String>,
}

/// The config file.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_profile: Option<String>,
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

/// Where things live, and the loaded config file.
#[derive(Debug, Clone)]
pub struct Config {
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
    pub file: ConfigFile,
}

impl Config {
    /// Reads the directories from the environment and the config file if there is one.
    pub fn load() -> Result<Config> {
        let dirs = directories::ProjectDirs::from("dev", "persona", "persona");
        let from_env = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let config_dir = from_env("PERSONA_CONFIG_DIR")
            .or_else(|| dirs.as_ref().map(|d| d.config_dir().to_path_buf()))
            .ok_or_else(|| {
                CliError::general("cannot find a config directory: set PERSONA_CONFIG_DIR")
            })?;
        let data_dir = from_env("PERSONA_DATA_DIR")
            .or_else(|| dirs.as_ref().map(|d| d.data_dir().to_path_buf()))
            .ok_or_else(|| {
                CliError::general("cannot find a data directory: set PERSONA_DATA_DIR")
            })?;
        let file = read_config_file(&config_dir.join("config.yml"))?;
        Ok(Config {
            config_dir,
            data_dir,
            file,
        })
    }

    pub fn config_path(&self) -> PathBuf {
        self.config_dir.join("config.yml")
    }

    /// Writes the config file atomically. It never holds a secret.
    pub fn save(&self) -> Result<()> {
        let text = serde_norway::to_string(&self.file).map_err(|err| {
            CliError::general(format!("cannot encode the config: {err}")).with_source(err)
        })?;
        std::fs::create_dir_all(&self.config_dir).map_err(|err| {
            CliError::io(
                ExitKind::General,
                format!(
                    "cannot create the config directory {}",
                    self.config_dir.display()
                ),
                err,
            )
            .with_hint("choose another config directory with PERSONA_CONFIG_DIR")
        })?;
        let path = self.config_path();
        crate::persona_file::write_atomic(&path, &text).map_err(|err| {
            CliError::io(
                ExitKind::General,
                format!("cannot write the config file {}", path.display()),
                err,
            )
        })
    }

    /// The names of every profile: `local` first, then the stored ones.
    pub fn profile_names(&self) -> Vec<String> {
        std::iter::once(LOCAL_PROFILE.to_string())
            .chain(self.file.profiles.keys().cloned())
            .collect()
    }

    /// The profile a command uses: `--profile`/`PERSONA_PROFILE`, else the active one, else `local`.
    pub fn profile_name(&self, requested: Option<&str>) -> String {
        requested
            .map(str::to_string)
            .or_else(|| self.file.active_profile.clone())
            .unwrap_or_else(|| LOCAL_PROFILE.to_string())
    }

    /// A stored profile, or an error naming the ones that exist.
    pub fn profile(&self, name: &str) -> Result<&Profile> {
        self.file.profiles.get(name).ok_or_else(|| {
            let known: Vec<&str> = std::iter::once(LOCAL_PROFILE)
                .chain(self.file.profiles.keys().map(String::as_str))
                .collect();
            CliError::usage(format!(
                "there is no profile named `{name}`; profiles: {}",
                known.join(", ")
            ))
            .with_hint("log in to create it: `persona auth login --profile NAME`")
        })
    }
}

fn read_config_file(path: &Path) -> Result<ConfigFile> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(ConfigFile::default()),
        Err(err) => {
            return Err(CliError::io(
                ExitKind::General,
                format!("cannot read the config file {}", path.display()),
                err,
            ));
        }
    };
    if text.trim().is_empty() {
        return Ok(ConfigFile::default());
    }
    serde_norway::from_str(&text).map_err(|err| {
        let position = err
            .location()
            .map(|l| format!(":{}:{}", l.line(), l.column()))
            .unwrap_or_default();
        CliError::new(
            ExitKind::Usage,
            format!(
                "the config file {}{position} is not valid: {err}",
                path.display()
            ),
        )
        .with_hint(
            "fix or remove that file; persona does not overwrite a config file it cannot read",
        )
        .with_source(err)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_corrupt_config_file_is_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.yml");
        std::fs::write(&path, "profiles: [unclosed\n").unwrap();
        let err = read_config_file(&path).unwrap_err();
        assert_eq!(err.kind, ExitKind::Usage);
        assert!(err.message.contains("config.yml"), "{}", err.message);
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "profiles: [unclosed\n"
        );
    }

    #[test]
    fn profiles_default_to_local() {
        let config = Config {
            config_dir: PathBuf::from("/c"),
            data_dir: PathBuf::from("/d"),
            file: ConfigFile::default(),
        };
        assert_eq!(config.profile_name(None), "local");
        assert_eq!(config.profile_name(Some("prod")), "prod");
        assert!(config.profile("prod").is_err());
    }
}
