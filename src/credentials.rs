//! Where API keys live and come from, in a fixed order: `PERSONA_API_KEY`, then the OS keyring
//! (service `persona`, account = profile, each call bounded to 3 s), then a 0600 credentials file.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use crate::error::{CliError, Result, io_reason};

/// The keyring service name under which keys are stored.
const KEYRING_SERVICE: &str = "persona";
/// The longest a keyring call may take before the keyring counts as unusable.
const KEYRING_TIMEOUT: Duration = Duration::from_secs(3);

/// Where a key was found or stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    Environment,
    Keyring,
    File,
    /// The embedded server's key for this process (the `local` profile).
    Embedded,
}

impl KeySource {
    pub fn describe(self) -> &'static str {
        match self {
            KeySource::Environment => "PERSONA_API_KEY",
            KeySource::Keyring => "OS keyring",
            KeySource::File => "credentials file",
            KeySource::Embedded => "embedded server",
        }
    }
}

/// `PERSONA_CREDENTIAL_STORE`, or `--insecure-storage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreChoice {
    Keyring,
    File,
}

impl StoreChoice {
    pub fn from_env() -> Result<Option<StoreChoice>> {
        match std::env::var("PERSONA_CREDENTIAL_STORE")
            .ok()
            .as_deref()
            .map(str::trim)
        {
            None | Some("") => Ok(None),
            Some("keyring") => Ok(Some(StoreChoice::Keyring)),
            Some("file") => Ok(Some(StoreChoice::File)),
            Some(other) => Err(CliError::usage(format!(
                "PERSONA_CREDENTIAL_STORE must be `keyring` or `file`, not `{other}`"
            ))),
        }
    }
}

/// One place that holds a key per profile.
pub trait CredentialStore: Send + Sync {
    fn get(&self, profile: &str) -> Result<Option<String>, StoreError>;
    fn set(&self, profile: &str, key: &str) -> Result<(), StoreError>;
    fn delete(&self, profile: &str) -> Result<(), StoreError>;
}

/// Why a store could not be used.
#[derive(Debug, Clone)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The OS keyring: Secret Service on Linux, Keychain on macOS, Credential Manager on Windows.
pub struct KeyringCredentials;

impl KeyringCredentials {
    /// Runs `call` on a keyring entry in a thread of its own, giving up after 3 s: a keyring that
    /// hangs (a locked collection waiting for a prompt nobody sees) must not hang the CLI.
    fn with_entry<T: Send + 'static>(
        profile: &str,
        call: impl FnOnce(keyring::Entry) -> keyring::Result<T> + Send + 'static,
    ) -> Result<keyring::Result<T>, StoreError> {
        let profile = profile.to_string();
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let outcome = keyring::Entry::new(KEYRING_SERVICE, &profile).and_then(call);
            let _ = sender.send(outcome);
        });
        receiver.recv_timeout(KEYRING_TIMEOUT).map_err(|_| {
            StoreError(format!(
                "the OS keyring did not answer within {}s",
                KEYRING_TIMEOUT.as_secs()
            ))
        })
    }
}

fn keyring_error(err: keyring::Error) -> StoreError {
    match err {
        keyring::Error::NoDefaultStore => StoreError(
            "no OS keyring is available here (on Linux: no Secret Service on the D-Bus session)"
                .to_string(),
        ),
        other => StoreError(format!("the OS keyring is not usable: {other}")),
    }
}

impl CredentialStore for KeyringCredentials {
    fn get(&self, profile: &str) -> Result<Option<String>, StoreError> {
        match Self::with_entry(profile, |entry| entry.get_password())? {
            Ok(key) => Ok(Some(key)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(err) => Err(keyring_error(err)),
        }
    }

    fn set(&self, profile: &str, key: &str) -> Result<(), StoreError> {
        let key = key.to_string();
        Self::with_entry(profile, move |entry| entry.set_password(&key))?.map_err(keyring_error)
    }

    fn delete(&self, profile: &str) -> Result<(), StoreError> {
        match Self::with_entry(profile, |entry| entry.delete_credential())? {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(err) => Err(keyring_error(err)),
        }
    }
}

/// `credentials.yml` in the config directory, mode 0600, `profile: key` lines, written atomically.
pub struct FileCredentials {
    path: PathBuf,
}

impl FileCredentials {
    pub fn new(config_dir: &Path) -> Self {
        FileCredentials {
            path: config_dir.join("credentials.yml"),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read_all(&self) -> Result<BTreeMap<String, String>, StoreError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
            Err(err) => {
                return Err(StoreError(format!(
                    "cannot read {}: {}",
                    self.path.display(),
                    io_reason(&err)
                )));
            }
        };
        if text.trim().is_empty() {
            return Ok(BTreeMap::new());
        }
        serde_norway::from_str(&text).map_err(|err| {
            StoreError(format!(
                "{} is not valid: {err}; remove it and log in again",
                self.path.display()
            ))
        })
    }

    fn write_all(&self, keys: &BTreeMap<String, String>) -> Result<(), StoreError> {
        let text = if keys.is_empty() {
            String::new()
        } else {
            serde_norway::to_string(keys).map_err(|err| StoreError(err.to_string()))?
        };
        write_private(&self.path, &text).map_err(|err| {
            StoreError(format!(
                "cannot write {}: {}",
                self.path.display(),
                io_reason(&err)
            ))
        })
    }
}

impl CredentialStore for FileCredentials {
    fn get(&self, profile: &str) -> Result<Option<String>, StoreError> {
        Ok(self.read_all()?.remove(profile))
    }

    fn set(&self, profile: &str, key: &str) -> Result<(), StoreError> {
        let mut keys = self.read_all()?;
        keys.insert(profile.to_string(), key.to_string());
        self.write_all(&keys)
    }

    fn delete(&self, profile: &str) -> Result<(), StoreError> {
        let mut keys = self.read_all()?;
        if keys.remove(profile).is_some() {
            self.write_all(&keys)?;
        }
        Ok(())
    }
}

/// Writes `contents` to `path` atomically, the file readable by its owner only.
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let temp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("credentials"),
        std::process::id()
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let _ = std::fs::remove_file(&temp);
    let result = options.open(&temp).and_then(|mut file| {
        file.write_all(contents.as_bytes())?;
        file.sync_all()
    });
    match result.and_then(|()| std::fs::rename(&temp, path)) {
        Ok(()) => Ok(()),
        Err(err) => {
            let _ = std::fs::remove_file(&temp);
            Err(err)
        }
    }
}

/// The keyring and the file, in the order the configuration says.
pub struct Credentials {
    keyring: KeyringCredentials,
    file: FileCredentials,
    choice: Option<StoreChoice>,
}

/// A key and where it was found.
#[derive(Debug, Clone)]
pub struct FoundKey {
    pub key: String,
    pub source: KeySource,
    /// Why the keyring was passed over, when it was.
    pub warning: Option<String>,
}

impl Credentials {
    pub fn new(config_dir: &Path, choice: Option<StoreChoice>) -> Self {
        Credentials {
            keyring: KeyringCredentials,
            file: FileCredentials::new(config_dir),
            choice,
        }
    }

    pub fn file_path(&self) -> &Path {
        self.file.path()
    }

    /// The key of `profile`: `PERSONA_API_KEY`, then the keyring, then the file.
    pub fn resolve(&self, profile: &str) -> Result<Option<FoundKey>> {
        if let Some(key) = environment_key() {
            return Ok(Some(FoundKey {
                key,
                source: KeySource::Environment,
                warning: None,
            }));
        }
        self.stored(profile)
    }

    /// The key stored for `profile`, ignoring the environment.
    pub fn stored(&self, profile: &str) -> Result<Option<FoundKey>> {
        let mut warning = None;
        if self.choice != Some(StoreChoice::File) {
            match self.keyring.get(profile) {
                Ok(Some(key)) => {
                    return Ok(Some(FoundKey {
                        key,
                        source: KeySource::Keyring,
                        warning: None,
                    }));
                }
                Ok(None) => {}
                Err(err) if self.choice == Some(StoreChoice::Keyring) => {
                    return Err(CliError::general(err.0).with_hint(
                        "unset PERSONA_CREDENTIAL_STORE to fall back to the credentials file",
                    ));
                }
                Err(err) => warning = Some(err.0),
            }
        }
        if self.choice == Some(StoreChoice::Keyring) {
            return Ok(None);
        }
        let key = self
            .file
            .get(profile)
            .map_err(|err| CliError::general(err.0))?;
        Ok(key.map(|key| FoundKey {
            key,
            source: KeySource::File,
            warning,
        }))
    }

    /// Stores `key` for `profile`: in the keyring unless the file is chosen or the keyring is
    /// unusable. Returns where it went, with the reason when the keyring was passed over.
    pub fn store(
        &self,
        profile: &str,
        key: &str,
        insecure_storage: bool,
    ) -> Result<(KeySource, Option<String>)> {
        let choice = if insecure_storage {
            Some(StoreChoice::File)
        } else {
            self.choice
        };
        let mut warning = None;
        if choice != Some(StoreChoice::File) {
            match self.keyring.set(profile, key) {
                Ok(()) => {
                    // A key left in the file by an earlier login must not linger there.
                    let _ = self.file.delete(profile);
                    return Ok((KeySource::Keyring, None));
                }
                Err(err) if choice == Some(StoreChoice::Keyring) => {
                    return Err(CliError::general(err.0).with_hint(
                        "PERSONA_CREDENTIAL_STORE=keyring asks for the keyring only: unset it to fall back to \
                         a 0600 credentials file, or choose that file with --insecure-storage",
                    ));
                }
                Err(err) => warning = Some(err.0),
            }
        }
        self.file
            .set(profile, key)
            .map_err(|err| CliError::general(err.0))?;
        Ok((KeySource::File, warning))
    }

    /// Removes the key of `profile` from every store it may be in.
    pub fn forget(&self, profile: &str) -> Result<()> {
        if self.choice != Some(StoreChoice::File) {
            let keyring = self.keyring.delete(profile);
            if let (Err(err), Some(StoreChoice::Keyring)) = (keyring, self.choice) {
                return Err(CliError::general(err.0));
            }
        }
        if self.choice != Some(StoreChoice::Keyring) {
            self.file
                .delete(profile)
                .map_err(|err| CliError::general(err.0))?;
        }
        Ok(())
    }
}

/// `PERSONA_API_KEY`, when set and not blank.
pub fn environment_key() -> Option<String> {
    std::env::var("PERSONA_API_KEY")
        .ok()
        .map(|k| k.trim().to_string())
        .filter(|k| !k.is_empty())
}

/// `pk_live_…5678`: enough to recognise a key, not to use it.
pub fn mask(key: &str) -> String {
    let prefix_end = key
        .match_indices('_')
        .nth(1)
        .map(|(i, _)| i + 1)
        .unwrap_or(0)
        .min(key.len());
    let tail_start = key.len().saturating_sub(4).max(prefix_end);
    format!("{}…{}", &key[..prefix_end], &key[tail_start..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masked_keys_keep_the_prefix_and_the_last_four() {
        assert_eq!(mask("pk_live_abcd1234efgh5678"), "pk_live_…5678");
        assert_eq!(mask("short"), "…hort");
    }

    #[test]
    fn the_file_store_is_private_and_keeps_other_profiles() {
        let dir = tempfile::tempdir().unwrap();
        let file = FileCredentials::new(dir.path());
        file.set("a", "pk_test_a").unwrap();
        file.set("b", "pk_test_b").unwrap();
        file.delete("a").unwrap();
        assert_eq!(file.get("a").unwrap(), None);
        assert_eq!(file.get("b").unwrap().as_deref(), Some("pk_test_b"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(file.path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temp files left behind");
    }

    #[test]
    fn the_file_choice_never_touches_the_keyring() {
        let dir = tempfile::tempdir().unwrap();
        let credentials = Credentials::new(dir.path(), Some(StoreChoice::File));
        let (source, warning) = credentials.store("p", "pk_test_x", false).unwrap();
        assert_eq!(source, KeySource::File);
        assert!(warning.is_none());
        let found = credentials.stored("p").unwrap().unwrap();
        assert_eq!(
            (found.key.as_str(), found.source),
            ("pk_test_x", KeySource::File)
        );
        credentials.forget("p").unwrap();
        assert!(credentials.stored("p").unwrap().is_none());
    }
}
