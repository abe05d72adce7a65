//! A folder of personas as code: the working copies and briefs under some paths, read once, the
//! workspace's personas read in pages (never one request per file), and where each file stands.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

use super::working_copy;
use crate::brief::{Brief, looks_like_brief, parse_brief};
use crate::client::{ApiClient, ListPersonas, every_page};
use crate::commands::format::or_dash;
use crate::error::{CliError, Result};
use crate::model::{PersonaStamp, view};
use crate::persona_file::{self, Standing};

/// The most files a folder may hold for `status`, `apply` and `pull --all`.
pub const MAX_FOLDER_FILES: usize = 100_000;
/// The deepest a folder's directories are followed.
const MAX_FOLDER_DEPTH: usize = 64;

/// One file of the folder.
pub struct FolderFile {
    /// The path as the user wrote it, joined with the names found under it.
    pub path: PathBuf,
    pub item: Item,
}

pub enum Item {
    /// A working copy, parsed, and what it records of its persona.
    Copy { local: Value, stamp: PersonaStamp },
    /// A brief, with its text as read.
    Brief { brief: Brief, text: String },
    /// A file that is meant to be a working copy or a brief but cannot be read as one.
    Invalid(CliError),
}

/// The working copies (`*.yml`, `*.yaml`) and briefs (`*.md`) named by `paths` or found under
/// them, sorted by path. Under a directory, hidden entries are skipped, symbolic links to
/// directories are not followed, YAML that is not a working copy and Markdown that is not a
/// brief (no front matter with a brief's keys) are left out; a file named on its own is read
/// as what its extension says.
pub fn scan(paths: &[PathBuf]) -> Result<Vec<FolderFile>> {
    let mut found: Vec<(PathBuf, bool)> = Vec::new();
    let mut seen = HashSet::new();
    for path in paths {
        let metadata = fs::metadata(path).map_err(|err| {
            let problem = if err.kind() == std::io::ErrorKind::NotFound {
                "does not exist".to_string()
            } else {
                format!("cannot be read: {err}")
            };
            CliError::usage(format!("{} {problem}", path.display())).with_source(err)
        })?;
        if metadata.is_dir() {
            walk(path, &mut found, &mut seen)?;
        } else if kind_of(path).is_some() {
            if seen.insert(path.clone()) {
                found.push((path.clone(), true));
            }
        } else {
            return Err(CliError::usage(format!(
                "{} is neither a working copy (.yml, .yaml) nor a brief (.md)",
                path.display()
            )));
        }
    }
    found.sort();
    // Reading and parsing is most of the work: spread over the cores.
    let items = in_parallel(&found, |(path, named)| read_item(path, *named));
    Ok(found
        .into_iter()
        .zip(items)
        .filter_map(|((path, _), item)| Some(FolderFile { path, item: item? }))
        .collect())
}

/// `work` applied to each item on a few threads at once (file reads and writes wait on the
/// disk), the results in the order of `items`.
pub fn in_parallel<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    const WORKERS: usize = 8;
    let chunk = items.len().div_ceil(WORKERS).max(1);
    let work = &work;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(work).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| match handle.join() {
                Ok(results) => results,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

#[derive(Clone, Copy)]
enum Kind {
    Copy,
    Brief,
}

fn kind_of(path: &Path) -> Option<Kind> {
    match path.extension()?.to_str()? {
        "yml" | "yaml" => Some(Kind::Copy),
        "md" => Some(Kind::Brief),
        _ => None,
    }
}

/// The files of interest under `root`, depth first, with a bound on depth and count.
fn walk(root: &Path, found: &mut Vec<(PathBuf, bool)>, seen: &mut HashSet<PathBuf>) -> Result<()> {
    let mut pending = vec![(root.to_path_buf(), 0)];
    while let Some((directory, depth)) = pending.pop() {
        let entries = fs::read_dir(&directory).map_err(|err| {
            CliError::usage(format!("cannot read {}: {err}", directory.display())).with_source(err)
        })?;
        for entry in entries.flatten() {
            let name = entry.file_name();
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            // `.` as the root gives `poet.yml`, not `./poet.yml`.
            let path = if directory == Path::new(".") {
                PathBuf::from(&name)
            } else {
                directory.join(&name)
            };
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            if file_type.is_dir() {
                if depth + 1 < MAX_FOLDER_DEPTH {
                    pending.push((path, depth + 1));
                }
                continue;
            }
            let is_file = file_type.is_file()
                || (file_type.is_symlink() && fs::metadata(&path).is_ok_and(|m| m.is_file()));
            if is_file && kind_of(&path).is_some() && seen.insert(path.clone()) {
                found.push((path, false));
                if found.len() > MAX_FOLDER_FILES {
                    return Err(CliError::usage(format!(
                        "{} holds more than {MAX_FOLDER_FILES} working copies and briefs",
                        root.display()
                    ))
                    .with_hint("name a smaller folder"));
                }
            }
        }
    }
    Ok(())
}

/// What the file at `path` is; None for YAML or Markdown found in a folder that is not ours.
fn read_item(path: &Path, named: bool) -> Option<Item> {
    let text = match persona_file::read_text_file(path) {
        Ok(text) => text,
        Err(err) => {
            return Some(Item::Invalid(
                CliError::usage(format!("cannot read {}: {err}", path.display())).with_source(err),
            ));
        }
    };
    match kind_of(path)? {
        Kind::Copy => match persona_file::from_yaml(&text, &path.display().to_string()) {
            Ok(local) => Some(Item::Copy {
                stamp: view(&local),
                local,
            }),
            Err(err) if named || persona_file::looks_like_working_copy(&text) => {
                Some(Item::Invalid(CliError::usage(err.to_string()).with_hint(
                    "fix the file, or pull it again with `persona personas pull REF --force`",
                )))
            }
            Err(_) => None,
        },
        Kind::Brief if !named && !looks_like_brief(&text) => None,
        Kind::Brief => match parse_brief(&text) {
            Ok(brief) => Some(Item::Brief { brief, text }),
            Err(err) => Some(Item::Invalid(super::create::brief_error(
                &path.display().to_string(),
                &err,
            ))),
        },
    }
}

/// Every completed persona the key can see in the workspace (only those have working copies),
/// active or archived ones, read in pages of 100 (the contract's largest).
pub async fn list_all(client: &ApiClient, archived: bool) -> Result<Vec<Value>> {
    let query = ListPersonas {
        archived,
        status: Some("completed".to_string()),
        limit: 100,
        ..ListPersonas::default()
    };
    let raw = every_page(true, |cursor| client.list_personas(&query, cursor)).await?;
    raw.iter()
        .map(|item| {
            serde_json::from_str(item.get()).map_err(|err| {
                CliError::general(format!(
                    "the server listed a persona that is not JSON: {err}"
                ))
            })
        })
        .collect()
}

/// The workspace's personas by id: the active ones, and the archived ones too when a file names
/// a persona that is not active.
pub struct Workspace {
    personas: HashMap<String, Value>,
}

impl Workspace {
    pub async fn read(client: &ApiClient, files: &[FolderFile]) -> Result<Workspace> {
        let mut personas = by_id(list_all(client, false).await?);
        if named_ids(files).any(|id| !personas.contains_key(id)) {
            personas.extend(by_id(list_all(client, true).await?));
        }
        Ok(Workspace { personas })
    }

    pub fn get(&self, id: &str) -> Option<&Value> {
        self.personas.get(id)
    }

    /// The active personas, in no particular order.
    pub fn active(&self) -> impl Iterator<Item = &Value> {
        self.personas
            .values()
            .filter(|persona| view::<PersonaStamp>(persona).archived_at.is_none())
    }
}

fn by_id(personas: Vec<Value>) -> HashMap<String, Value> {
    personas
        .into_iter()
        .filter_map(|persona| Some((view::<PersonaStamp>(&persona).id?, persona)))
        .collect()
}

/// The ids of the personas the files name: working copies by their `id`, briefs by the
/// persona recorded in their front matter.
pub fn named_ids(files: &[FolderFile]) -> impl Iterator<Item = &str> {
    files.iter().filter_map(|file| match &file.item {
        Item::Copy { stamp, .. } => stamp.id.as_deref(),
        Item::Brief { brief, .. } => brief.persona.as_deref(),
        Item::Invalid(_) => None,
    })
}

/// Where a file of the folder stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// A working copy that holds what the server holds, or a brief whose persona exists and
    /// has a working copy in the folder.
    UpToDate,
    Edited,
    Behind,
    Conflict,
    /// The persona is archived on the server.
    Archived,
    /// The workspace has no such persona (or not one this key may see).
    Gone,
    /// A brief with no persona yet: `apply` creates one.
    New,
    /// A brief whose persona exists but has no working copy in the folder: `apply` writes one.
    NoWorkingCopy,
    /// Not a readable working copy or brief.
    Invalid,
}

impl State {
    pub fn label(self) -> &'static str {
        match self {
            State::UpToDate => "up to date",
            State::Edited => "edited",
            State::Behind => "behind",
            State::Conflict => "conflict",
            State::Archived => "archived",
            State::Gone => "gone",
            State::New => "new",
            State::NoWorkingCopy => "no copy",
            State::Invalid => "invalid",
        }
    }
}

/// A file of the folder and where it stands.
#[derive(Debug, Clone, Serialize)]
pub struct FileStatus {
    pub file: String,
    pub state: State,
    pub id: Option<String>,
    pub slug: Option<String>,
    /// The version a working copy was pulled at.
    pub version: Option<u64>,
    /// The persona's version on the server.
    pub server_version: Option<u64>,
    /// What it means, and what to do.
    pub note: Option<String>,
}

/// Where each file stands, in the order of `files`.
pub async fn statuses(
    client: &ApiClient,
    files: &[FolderFile],
    workspace: &Workspace,
) -> Result<Vec<FileStatus>> {
    let copies: HashSet<&str> = files
        .iter()
        .filter_map(|file| match &file.item {
            Item::Copy { stamp, .. } => stamp.id.as_deref(),
            _ => None,
        })
        .collect();
    let mut statuses = Vec::with_capacity(files.len());
    for file in files {
        statuses.push(status(client, file, workspace, &copies).await?);
    }
    Ok(statuses)
}

async fn status(
    client: &ApiClient,
    file: &FolderFile,
    workspace: &Workspace,
    copies: &HashSet<&str>,
) -> Result<FileStatus> {
    let mut status = FileStatus {
        file: file.path.display().to_string(),
        state: State::Invalid,
        id: None,
        slug: None,
        version: None,
        server_version: None,
        note: None,
    };
    let (id, server) = match &file.item {
        Item::Invalid(err) => {
            status.note = Some(err.message.clone());
            return Ok(status);
        }
        Item::Brief { brief, .. } => {
            let Some(id) = &brief.persona else {
                status.state = State::New;
                status.note = Some("apply creates a persona from it".to_string());
                return Ok(status);
            };
            (id.clone(), workspace.get(id))
        }
        Item::Copy { stamp, .. } => {
            let id = stamp.id.clone().unwrap_or_default();
            status.version = stamp.version;
            let server = workspace.get(&id);
            (id, server)
        }
    };
    status.id = Some(id.clone());
    let Some(server) = server else {
        status.state = State::Gone;
        status.note = Some(
            "this workspace has no such persona that the key may see: check the profile and workspace"
                .to_string(),
        );
        return Ok(status);
    };
    let current: PersonaStamp = view(server);
    status.slug = current.slug.clone();
    status.server_version = current.version;
    if current.archived_at.is_some() {
        status.state = State::Archived;
        status.note = Some("archived on the server; apply leaves it alone".to_string());
        return Ok(status);
    }
    let local = match &file.item {
        Item::Copy { local, .. } => local,
        _ => {
            if copies.contains(id.as_str()) {
                status.state = State::UpToDate;
            } else {
                status.state = State::NoWorkingCopy;
                status.note = Some("apply writes its working copy next to it".to_string());
            }
            return Ok(status);
        }
    };
    if let Err(err) = working_copy::check_copy(&file.path, local, server) {
        status.note = Some(err.message);
        return Ok(status);
    }
    let pulled = or_dash(status.version);
    let now = or_dash(status.server_version);
    (status.state, status.note) = match working_copy::standing(client, &file.path, local, server)
        .await?
    {
        Standing::UpToDate => (State::UpToDate, None),
        Standing::Edited => (State::Edited, Some("apply sends the edits".to_string())),
        Standing::Behind => (
            State::Behind,
            Some(format!(
                "pulled at v{pulled}, the persona is at v{now}: `persona personas pull --all` updates it"
            )),
        ),
        Standing::Conflict => (
            State::Conflict,
            Some(format!(
                "edited here, and changed on the server since v{pulled} (now v{now}): pull it again, or apply with --force to overwrite"
            )),
        ),
    };
    Ok(status)
}
