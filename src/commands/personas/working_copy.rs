//! Reading and writing YAML working copies from commands: errors become exit code 2 with the
//! file's name, writes are atomic.

use std::path::Path;

use serde_json::Value;

use crate::error::{CliError, ExitKind, Result};
use crate::persona_file;

/// Reads and parses a working copy; a missing or invalid file is a usage error.
pub fn read(path: &Path) -> Result<(String, Value)> {
    let text = persona_file::read_text_file(path)
        .map_err(|err| CliError::usage(format!("cannot read {}: {err}", path.display())))?;
    let persona = persona_file::from_yaml(&text, &path.display().to_string()).map_err(|err| {
        CliError::usage(err.to_string())
            .with_hint("fix the file, or pull it again with `persona personas pull REF --force`")
    })?;
    Ok((text, persona))
}

/// Writes `persona` as a working copy, atomically.
pub fn write(path: &Path, persona: &Value) -> Result<()> {
    persona_file::write_atomic(path, &persona_file::to_yaml(persona)).map_err(|err| {
        CliError::new(
            ExitKind::General,
            format!("cannot write {}: {err}", path.display()),
        )
    })
}

/// The persona's id as the working copy records it.
pub fn id_of(path: &Path, persona: &Value) -> Result<String> {
    persona["id"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| CliError::usage(format!("{}: the working copy has no `id`", path.display())))
}
