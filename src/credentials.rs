//! Where API keys come from, in a fixed order: `PERSONA_API_KEY`, then the credential store
//! of the profile. Keys never come from argv and are never printed.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::error::{CliError, Result};

/// Where a key was found, for `auth status` and for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    Environment,
    File,
    /// The embedded server's key for this process (the `local` profile).
    Embedded,
}

impl KeySource {
    pub fn describe(self) -> &'static str {
        match self {
            KeySource::Environment => "PERSONA_API_KEY",
            KeySource::File => "credentials file",
            KeySource::Embedded => "embedded server",
        }
    }
}

/// A place that holds one key per profile.
pub trait CredentialStore: Send + Sync {
    fn get(&self, profile: &str) -> Result<Option<String>>;
}

/// `credentials.yml` in the config directory, mode 0600: `profile: key` lines.
pub struct FileCredentials {
    path: PathBuf,
}

impl FileCredentials {
    pub fn new(config_dir: &std::path::Path) -> Self {
        FileCredentials {
            path: config_dir.join("credentials.yml"),
        }
    }
}

impl CredentialStore for FileCredentials {
    fn get(&self, profile: &str) -> Result<Option<String>> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(err) => {
                return Err(CliError::general(format!(
                    "cannot read the credentials file {}: {err}",
                    self.path.display()
                )));
            }
        };
        let keys: BTreeMap<String, String> = serde_norway::from_str(&text).map_err(|err| {
            CliError::general(format!(
                "the credentials file {} is not valid: {err}",
                self.path.display()
            ))
            .with_hint("remove it and log in again with `persona auth login`")
        })?;
        Ok(keys.get(profile).cloned())
    }
}

/// The key for `profile`: `PERSONA_API_KEY` first, then the store.
pub fn resolve_key(
    store: &dyn CredentialStore,
    profile: &str,
) -> Result<Option<(String, KeySource)>> {
    if let Some(key) = std::env::var("PERSONA_API_KEY")
        .ok()
        .filter(|k| !k.trim().is_empty())
    {
        return Ok(Some((key.trim().to_string(), KeySource::Environment)));
    }
    Ok(store.get(profile)?.map(|key| (key, KeySource::File)))
}
