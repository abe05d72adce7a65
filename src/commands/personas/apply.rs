//! `persona personas apply [PATH...]`: makes the workspace hold what a folder of briefs and
//! working copies says. A plan first (create, update, archive, conflict); every precondition is
//! checked again before the first write; a failure halfway says exactly what was applied.

use std::path::{Component, Path, PathBuf};

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::folder::{self, FileStatus, FolderFile, Item, State, Workspace};
use super::working_copy;
use crate::brief::record_persona;
use crate::client::{ApiClient, CreatePersona};
use crate::commands::format::or_dash;
use crate::context::Context;
use crate::error::{CliError, ExitKind, Result};
use crate::model::{PersonaStamp, view};
use crate::output::{Output, escape_controls_one_line};
use crate::persona_file::{self, changed_fields, field_diff};

#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  persona personas apply personas --dry-run    # the plan; exit 0: nothing to do, 2: changes
  persona personas apply personas              # the plan, then asks before applying
  persona personas apply personas --yes        # in CI
  persona personas apply personas --yes --prune --json

The plan groups `+ create` (a brief with no persona yet), `~ update` (an edited working copy,
with the fields that change), `- archive` (with --prune: a persona of the workspace that no file
names) and `! conflict` (edited here and changed on the server). A conflict stops everything
(exit 5) unless --force. Before the first write, every persona the plan changes is read again:
if any changed since the plan, nothing is applied (exit 5). A created persona is recorded in its
brief's front matter (`persona: psn_...`) and its working copy written next to the brief; the
create carries an Idempotency-Key made from the workspace, the brief's path and its text, so a
rerun after a crash never makes a second persona. After a failure, the report says what was
applied, and running apply again finishes the rest. With --dry-run, a file that cannot be read
exits 1 (2 means changes).")]
pub struct ApplyArgs {
    /// Working copies (*.yml, *.yaml), briefs (*.md) or folders [default: .]
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Apply without asking (needed when there is no terminal to ask on, and with --json)
    #[arg(short = 'y', long)]
    yes: bool,

    /// Print the plan and change nothing: exit 0 when there is nothing to do, 2 when there is
    #[arg(long, conflicts_with = "yes")]
    dry_run: bool,

    /// Also archive the workspace's personas that no file names
    #[arg(long)]
    prune: bool,

    /// Apply working copies in conflict too, overwriting the changes made on the server
    #[arg(long)]
    force: bool,
}

/// What apply would do.
#[derive(Debug, Default, Serialize)]
struct Plan {
    create: Vec<Create>,
    update: Vec<Update>,
    archive: Vec<Archive>,
    conflict: Vec<Conflicting>,
    /// Working copies of briefs' personas that are missing from the folder.
    write: Vec<WriteCopy>,
}

#[derive(Debug, Serialize)]
struct Create {
    file: String,
    #[serde(skip)]
    path: PathBuf,
    #[serde(skip)]
    text: String,
    #[serde(skip)]
    request: CreatePersona,
}

#[derive(Debug, Serialize)]
struct Update {
    file: String,
    id: String,
    slug: Option<String>,
    /// The version on the server the update is based on.
    version: Option<u64>,
    /// The JSON merge patch sent.
    patch: Value,
    #[serde(skip)]
    path: PathBuf,
    /// The fingerprint the server must still have.
    #[serde(skip)]
    if_match: Option<String>,
    #[serde(skip)]
    diff: String,
}

#[derive(Debug, Serialize)]
struct Archive {
    id: String,
    slug: Option<String>,
    version: Option<u64>,
    #[serde(skip)]
    fingerprint: Option<String>,
}

#[derive(Debug, Serialize)]
struct Conflicting {
    file: String,
    id: Option<String>,
    slug: Option<String>,
    version: Option<u64>,
    server_version: Option<u64>,
}

#[derive(Debug, Serialize)]
struct WriteCopy {
    file: String,
    brief: String,
    id: String,
    #[serde(skip)]
    persona: Value,
}

impl Plan {
    fn changes(&self) -> usize {
        self.create.len() + self.update.len() + self.archive.len() + self.write.len()
    }

    fn to_json(&self) -> Value {
        let mut plan = serde_json::to_value(self).unwrap_or_default();
        if let Value::Object(fields) = &mut plan {
            fields.insert("changes".to_string(), json!(self.changes()));
        }
        plan
    }
}

/// One change applied.
#[derive(Debug, Serialize)]
struct Applied {
    action: &'static str,
    file: Option<String>,
    id: Option<String>,
    slug: Option<String>,
    version: Option<u64>,
    /// The working copy written for a created persona.
    #[serde(skip_serializing_if = "Option::is_none")]
    working_copy: Option<String>,
}

pub async fn run(ctx: &Context, args: ApplyArgs) -> Result<()> {
    let output = &ctx.output;
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let files = folder::scan(&paths)?;
    let client = ctx.client().await?;
    let workspace = Workspace::read(client, &files).await?;
    let statuses = folder::statuses(client, &files, &workspace).await?;
    let plan = make_plan(&files, &statuses, &workspace, &args).map_err(|mut err| {
        // With --dry-run, 2 means changes: a folder that cannot be planned is an error (1).
        if args.dry_run && err.kind == ExitKind::Usage {
            err.kind = ExitKind::General;
        }
        err
    })?;
    if !output.json {
        show_plan(output, &plan);
        show_notes(output, &statuses);
    }
    let report = |applied: &[Applied], not_applied: &[String], error: Option<&CliError>| {
        output.json_value(&json!({
            "plan": plan.to_json(),
            "applied": applied,
            "not_applied": not_applied,
            "error": error.map(CliError::error_object),
        }));
    };
    let finish = |applied: &[Applied], not_applied: &[String], error: Option<CliError>| {
        if output.json {
            report(applied, not_applied, error.as_ref());
        }
        match error {
            Some(error) if output.json => Err(error.into_reported()),
            Some(error) => Err(error),
            None => Ok(()),
        }
    };

    if !plan.conflict.is_empty() && !args.force {
        let count = plan.conflict.len();
        let error = CliError::new(
            ExitKind::Conflict,
            format!(
                "{count} working cop{} edited here and changed on the server since the pull: nothing was applied",
                if count == 1 { "y is" } else { "ies are" }
            ),
        )
        .with_hint(
            "pull each again with `persona personas pull REF -o FILE --force` (keep your edits \
             elsewhere first), or apply with --force to overwrite the server's changes",
        );
        return finish(&[], &[], Some(error));
    }
    if plan.changes() == 0 {
        if !output.json {
            output.info("Nothing to do: the workspace holds what the folder says.");
        }
        return finish(&[], &[], None);
    }
    if args.dry_run {
        finish(&[], &[], None)?;
        return Err(CliError::reported(ExitKind::Usage));
    }
    if !args.yes && !confirm(output, &plan)? {
        output.info("Nothing was applied.");
        return Ok(());
    }
    recheck(client, &plan)
        .await
        .or_else(|error| finish(&[], &[], Some(error)))?;

    let workspace_id = if plan.create.is_empty() {
        String::new()
    } else {
        client.whoami().await?.workspace.id
    };
    let steps = steps(&plan);
    let bar = output.progress_allowed().then(|| {
        let bar = ProgressBar::new(steps.len() as u64);
        bar.set_style(
            ProgressStyle::with_template("{spinner} {pos}/{len} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(90));
        bar
    });
    let mut applied = Vec::new();
    let mut failure = None;
    // One listener for the whole run, so that a Ctrl-C between two steps is not lost.
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    for (index, step) in steps.iter().enumerate() {
        if let Some(bar) = &bar {
            bar.set_message(escape_controls_one_line(&step.describe()).into_owned());
        }
        let done = applied.len();
        let outcome = tokio::select! {
            outcome = step.apply(client, &workspace_id, &mut applied) => outcome,
            _ = &mut interrupted => Err(CliError::new(
                ExitKind::Interrupted,
                format!("interrupted during `{}`, which may or may not have reached the server", step.describe()),
            )),
        };
        for change in &applied[done..] {
            let line = describe_applied(change);
            match &bar {
                Some(bar) => bar.suspend(|| output.success(&line)),
                None if !output.json => output.success(&line),
                None => {}
            }
        }
        if let Err(error) = outcome {
            failure = Some((index, error));
            break;
        }
        if let Some(bar) = &bar {
            bar.inc(1);
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let Some((index, mut error)) = failure else {
        if !output.json {
            output.success(match applied.len() {
                1 => "Applied 1 change.".to_string(),
                count => format!("Applied {count} changes."),
            });
        }
        return finish(&applied, &[], None);
    };
    // The step that failed may have done part of its work (a persona created, its brief not
    // yet updated): it is listed as not applied, and a rerun finishes it.
    let not_applied: Vec<String> = steps[index..].iter().map(Step::describe).collect();
    if !output.json {
        output.warn(format!(
            "applied {} of {} changes; not applied: {}",
            applied.len(),
            steps.len(),
            not_applied.join("; ")
        ));
    }
    let rerun = "run `persona personas apply` again to finish: what was applied is not repeated";
    error.hint = Some(match error.hint.take() {
        Some(hint) => format!("{hint}; then {rerun}"),
        None => rerun.to_string(),
    });
    finish(&applied, &not_applied, Some(error))
}

/// The plan for `files`, or the error that prevents one: a file that cannot be read (exit 2),
/// two files for one persona (exit 2), or a file whose persona the workspace lacks (exit 3).
fn make_plan(
    files: &[FolderFile],
    statuses: &[FileStatus],
    workspace: &Workspace,
    args: &ApplyArgs,
) -> Result<Plan> {
    let invalid: Vec<String> = statuses
        .iter()
        .filter(|status| status.state == State::Invalid)
        .map(|status| status.note.clone().unwrap_or_else(|| status.file.clone()))
        .collect();
    if !invalid.is_empty() {
        return Err(CliError::usage(format!(
            "cannot plan: {} file{} cannot be read: {}",
            invalid.len(),
            if invalid.len() == 1 { "" } else { "s" },
            invalid.join("; ")
        ))
        .with_hint("fix them (`persona personas status` lists them), then apply again"));
    }
    let mut named = std::collections::HashMap::new();
    for file in files {
        let key = match &file.item {
            Item::Copy { stamp, .. } => stamp.id.clone().map(|id| ("copy", id)),
            Item::Brief { brief, .. } => brief.persona.clone().map(|id| ("brief", id)),
            Item::Invalid(_) => None,
        };
        if let Some(key) = key
            && let Some(first) = named.insert(key.clone(), &file.path)
        {
            return Err(CliError::usage(format!(
                "{} and {} are both {}s of {}: keep one",
                first.display(),
                file.path.display(),
                if key.0 == "copy" {
                    "working copie"
                } else {
                    "brief"
                },
                key.1
            )));
        }
    }
    let gone: Vec<&str> = statuses
        .iter()
        .filter(|status| status.state == State::Gone)
        .map(|status| status.file.as_str())
        .collect();
    if !gone.is_empty() {
        return Err(CliError::new(
            ExitKind::NotFound,
            format!(
                "the workspace has no persona (that this key may see) for {}: nothing was applied",
                gone.join(", ")
            ),
        )
        .with_hint(
            "check the profile and workspace (`persona auth status`), or remove those files",
        ));
    }

    let mut plan = Plan::default();
    for (file, status) in files.iter().zip(statuses) {
        let server = status.id.as_deref().and_then(|id| workspace.get(id));
        match (&file.item, status.state, server) {
            (Item::Brief { brief, text }, State::New, _) => plan.create.push(Create {
                file: status.file.clone(),
                path: file.path.clone(),
                text: text.clone(),
                request: brief.create_request(),
            }),
            (Item::Copy { local, .. }, State::Edited | State::Conflict, Some(server))
                if status.state == State::Edited || args.force =>
            {
                let current: PersonaStamp = view(server);
                let Some(patch) = changed_fields(local, server) else {
                    continue;
                };
                let label = format!(
                    "server/{}@v{}",
                    status.id.clone().unwrap_or_default(),
                    or_dash(current.version)
                );
                plan.update.push(Update {
                    file: status.file.clone(),
                    id: current.id.clone().unwrap_or_default(),
                    slug: current.slug.clone(),
                    version: current.version,
                    patch,
                    path: file.path.clone(),
                    if_match: current.fingerprint.clone(),
                    diff: field_diff(&label, &status.file, server, local).unwrap_or_default(),
                });
            }
            (Item::Copy { .. }, State::Conflict, _) => plan.conflict.push(Conflicting {
                file: status.file.clone(),
                id: status.id.clone(),
                slug: status.slug.clone(),
                version: status.version,
                server_version: status.server_version,
            }),
            (Item::Brief { .. }, State::NoWorkingCopy, Some(server)) => {
                let brief_dir = file.path.parent().unwrap_or(Path::new(""));
                if let Ok(name) = working_copy::default_path(server) {
                    plan.write.push(WriteCopy {
                        file: brief_dir.join(name).display().to_string(),
                        brief: status.file.clone(),
                        id: status.id.clone().unwrap_or_default(),
                        persona: server.clone(),
                    });
                }
            }
            _ => {}
        }
    }
    if args.prune {
        let named: std::collections::HashSet<&str> = folder::named_ids(files).collect();
        if named.is_empty() {
            // Most likely the wrong folder, or the wrong workspace: never archive everything.
            return Err(CliError::usage(
                "--prune archives the personas no file names, and no file here names one: \
                 refusing to archive every persona of the workspace",
            )
            .with_hint("run apply in the folder of your working copies (`persona personas pull --all -d DIR` makes one)"));
        }
        let mut archive: Vec<Archive> = workspace
            .active()
            .map(view::<PersonaStamp>)
            .filter(|stamp| stamp.id.as_deref().is_some_and(|id| !named.contains(id)))
            .map(|stamp| Archive {
                id: stamp.id.clone().unwrap_or_default(),
                slug: stamp.slug,
                version: stamp.version,
                fingerprint: stamp.fingerprint,
            })
            .collect();
        archive.sort_by(|a, b| (&a.slug, &a.id).cmp(&(&b.slug, &b.id)));
        plan.archive = archive;
    }
    Ok(plan)
}

/// The plan as people read it, on stdout, grouped as `terraform plan` groups it.
fn show_plan(out: &Output, plan: &Plan) {
    if plan.changes() == 0 && plan.conflict.is_empty() {
        return;
    }
    let mut summary = format!(
        "Plan: {} to create, {} to update, {} to archive",
        plan.create.len(),
        plan.update.len(),
        plan.archive.len()
    );
    if !plan.write.is_empty() {
        summary.push_str(&format!(", {} working copies to write", plan.write.len()));
    }
    if !plan.conflict.is_empty() {
        summary.push_str(&format!(", {} in conflict", plan.conflict.len()));
    }
    out.line(format!("{summary}."));
    out.line("");
    for create in &plan.create {
        out.line(format!("{}  {}", out.paint("+ create ", "32"), create.file));
    }
    for write in &plan.write {
        out.line(format!(
            "{}  {} (the working copy of {}, made from {})",
            out.paint("+ write  ", "32"),
            write.file,
            write.id,
            write.brief
        ));
    }
    for update in &plan.update {
        out.line(format!(
            "{}  {} ({} v{})",
            out.paint("~ update ", "33"),
            update.file,
            update.slug.as_deref().unwrap_or(&update.id),
            or_dash(update.version)
        ));
        for line in update.diff.lines().skip(2) {
            let painted = match line.as_bytes().first() {
                Some(b'+') => out.paint(line, "32"),
                Some(b'-') => out.paint(line, "31"),
                Some(b'@') => out.paint(line, "36"),
                _ => line.to_string(),
            };
            out.line(format!("      {painted}"));
        }
    }
    for archive in &plan.archive {
        out.line(format!(
            "{}  {} ({} v{}): no file names it",
            out.paint("- archive", "31"),
            archive.slug.as_deref().unwrap_or(&archive.id),
            archive.id,
            or_dash(archive.version)
        ));
    }
    for conflict in &plan.conflict {
        out.line(format!(
            "{}  {} ({}): edited here, and changed on the server since v{} (now v{})",
            out.paint("! conflict", "1;31"),
            conflict.file,
            conflict
                .slug
                .as_deref()
                .or(conflict.id.as_deref())
                .unwrap_or("?"),
            or_dash(conflict.version),
            or_dash(conflict.server_version)
        ));
    }
}

/// What apply leaves alone, said on stderr.
fn show_notes(out: &Output, statuses: &[FileStatus]) {
    let count = |state: State| statuses.iter().filter(|s| s.state == state).count();
    let behind = count(State::Behind);
    if behind > 0 {
        let (copies, them) = if behind == 1 {
            ("working copy is", "it")
        } else {
            ("working copies are", "them")
        };
        out.info(format!(
            "{behind} {copies} behind the server, which apply leaves alone: \
             `persona personas pull --all` updates {them}"
        ));
    }
    let archived = count(State::Archived);
    if archived > 0 {
        let names = if archived == 1 {
            "file names an archived persona"
        } else {
            "files name archived personas"
        };
        out.info(format!("{archived} {names}, which apply leaves alone"));
    }
}

/// Asks on the terminal whether to apply; without one, or under --json, --yes is needed.
fn confirm(out: &Output, plan: &Plan) -> Result<bool> {
    if out.json || !out.can_prompt() {
        return Err(CliError::usage(if out.json {
            "apply --json applies only with --yes (or shows the plan with --dry-run)"
        } else {
            "apply asks before changing the workspace, and there is no terminal to ask on"
        })
        .with_hint("pass --yes to apply this plan, or --dry-run to only see it"));
    }
    dialoguer::Confirm::new()
        .with_prompt(match plan.changes() {
            1 => "Apply this change?".to_string(),
            count => format!("Apply these {count} changes?"),
        })
        .default(false)
        .interact()
        .map_err(|err| match err {
            dialoguer::Error::IO(io) if io.kind() == std::io::ErrorKind::Interrupted => {
                CliError::new(ExitKind::Interrupted, "interrupted: nothing was applied")
            }
            dialoguer::Error::IO(io) => {
                CliError::usage(format!("cannot read your answer: {io}")).with_source(io)
            }
        })
}

/// Reads the workspace again and refuses (exit 5, nothing applied) when a persona the plan
/// updates or archives changed since the plan was made.
async fn recheck(client: &ApiClient, plan: &Plan) -> Result<()> {
    if plan.update.is_empty() && plan.archive.is_empty() {
        return Ok(());
    }
    let now: std::collections::HashMap<String, PersonaStamp> = folder::list_all(client, false)
        .await?
        .iter()
        .map(view::<PersonaStamp>)
        .filter_map(|stamp| Some((stamp.id.clone()?, stamp)))
        .collect();
    let expected = plan
        .update
        .iter()
        .map(|update| (&update.id, &update.if_match, update.slug.as_ref()))
        .chain(
            plan.archive
                .iter()
                .map(|archive| (&archive.id, &archive.fingerprint, archive.slug.as_ref())),
        );
    let changed: Vec<String> = expected
        .filter(|(id, fingerprint, _)| {
            now.get(*id).map(|stamp| &stamp.fingerprint) != Some(*fingerprint)
        })
        .map(|(id, _, slug)| slug.unwrap_or(id).clone())
        .collect();
    if changed.is_empty() {
        return Ok(());
    }
    Err(CliError::new(
        ExitKind::Conflict,
        format!(
            "{} changed on the server since the plan was made: nothing was applied",
            changed.join(", ")
        ),
    )
    .with_hint("run `persona personas apply` again to see the new plan"))
}

/// One change, in the order applied: updates, creates, missing working copies, archives.
enum Step<'p> {
    Update(&'p Update),
    Create(&'p Create),
    Write(&'p WriteCopy),
    Archive(&'p Archive),
}

fn steps(plan: &Plan) -> Vec<Step<'_>> {
    plan.update
        .iter()
        .map(Step::Update)
        .chain(plan.create.iter().map(Step::Create))
        .chain(plan.write.iter().map(Step::Write))
        .chain(plan.archive.iter().map(Step::Archive))
        .collect()
}

impl Step<'_> {
    fn describe(&self) -> String {
        match self {
            Step::Update(update) => format!("~ update {}", update.file),
            Step::Create(create) => format!("+ create {}", create.file),
            Step::Write(write) => format!("+ write {}", write.file),
            Step::Archive(archive) => format!(
                "- archive {}",
                archive.slug.as_deref().unwrap_or(&archive.id)
            ),
        }
    }

    /// Applies the change, adding what reached the server to `applied` as soon as it did.
    async fn apply(
        &self,
        client: &ApiClient,
        workspace_id: &str,
        applied: &mut Vec<Applied>,
    ) -> Result<()> {
        match self {
            Step::Update(update) => {
                let persona = client
                    .patch_persona(&update.id, update.if_match.as_deref(), &update.patch)
                    .await
                    .map_err(|err| working_copy::about(&update.path, err))?;
                applied.push(applied_change("update", Some(&update.file), &persona));
                working_copy::write(&update.path, &persona)
            }
            Step::Create(create) => {
                let key = idempotency_key(workspace_id, &create.path, &create.text);
                let persona = client
                    .create_persona(&create.request, &key)
                    .await
                    .map_err(|err| working_copy::about(&create.path, err))?;
                let stamp: PersonaStamp = view(&persona);
                let id = stamp.id.clone().unwrap_or_default();
                let change = applied.len();
                applied.push(applied_change("create", Some(&create.file), &persona));
                record(&create.path, &id)?;
                let brief_dir = create.path.parent().unwrap_or(Path::new(""));
                let copy = brief_dir.join(working_copy::default_path(&persona)?);
                write_new_copy(&copy, &persona)?;
                applied[change].working_copy = Some(copy.display().to_string());
                Ok(())
            }
            Step::Write(write) => {
                let path = PathBuf::from(&write.file);
                write_new_copy(&path, &write.persona)?;
                applied.push(applied_change("write", Some(&write.file), &write.persona));
                Ok(())
            }
            Step::Archive(archive) => {
                let persona = client.archive_persona(&archive.id).await?;
                applied.push(applied_change("archive", None, &persona));
                Ok(())
            }
        }
    }
}

fn applied_change(action: &'static str, file: Option<&str>, persona: &Value) -> Applied {
    let stamp: PersonaStamp = view(persona);
    Applied {
        action,
        file: file.map(str::to_string),
        id: stamp.id,
        slug: stamp.slug,
        version: stamp.version,
        working_copy: None,
    }
}

fn describe_applied(change: &Applied) -> String {
    let name = change
        .slug
        .as_deref()
        .or(change.id.as_deref())
        .unwrap_or("?");
    let file = change.file.as_deref().unwrap_or_default();
    match change.action {
        "update" => format!("updated {name} → v{} from {file}", or_dash(change.version)),
        "create" => format!(
            "created {name} ({}) from {file}{}",
            change.id.as_deref().unwrap_or("?"),
            change
                .working_copy
                .as_ref()
                .map(|copy| format!("; its working copy is {copy}"))
                .unwrap_or_default()
        ),
        "write" => format!("wrote {file}, the working copy of {name}"),
        _ => format!("archived {name} ({})", change.id.as_deref().unwrap_or("?")),
    }
}

/// The Idempotency-Key of a brief's create: the same workspace, brief path and text give the
/// same key, so that a rerun after a crash gets the persona the first run made.
fn idempotency_key(workspace_id: &str, path: &Path, text: &str) -> String {
    let path: PathBuf = path
        .components()
        .filter(|component| !matches!(component, Component::CurDir))
        .collect();
    let mut hasher = Sha256::new();
    for part in [workspace_id, &path.to_string_lossy(), text] {
        hasher.update(part.len().to_string().as_bytes());
        hasher.update(b":");
        hasher.update(part.as_bytes());
    }
    format!("apply-{}", hex::encode(hasher.finalize()))
}

/// Records `id` in the brief at `path`, as it is now on disk.
fn record(path: &Path, id: &str) -> Result<()> {
    let failed = |err: std::io::Error| {
        CliError::general(format!(
            "{id} was created, but {} could not record it: {err}",
            path.display()
        ))
        .with_source(err)
    };
    let text = persona_file::read_text_file(path).map_err(failed)?;
    persona_file::write_atomic(path, &record_persona(&text, id)).map_err(failed)
}

/// Writes a created persona's working copy where no file is yet (an identical one is fine).
fn write_new_copy(path: &Path, persona: &Value) -> Result<()> {
    match persona_file::read_text_file(path) {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => working_copy::write(path, persona),
        Ok(text) if text == persona_file::to_yaml(persona) => Ok(()),
        _ => Err(CliError::new(
            ExitKind::Conflict,
            format!(
                "{} is already there, so the working copy of {} was not written",
                path.display(),
                view::<PersonaStamp>(persona).name()
            ),
        )
        .with_hint(format!(
            "move that file away, or pull the persona elsewhere with `persona personas pull {} -o FILE`",
            view::<PersonaStamp>(persona).id.unwrap_or_default()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_idempotency_key_follows_the_workspace_the_path_and_the_text() {
        let key = idempotency_key("ws_a", Path::new("./personas/poet.md"), "A poet.");
        assert_eq!(
            key,
            idempotency_key("ws_a", Path::new("personas/poet.md"), "A poet.")
        );
        assert!(key.starts_with("apply-") && key.len() == 6 + 64, "{key}");
        for other in [
            idempotency_key("ws_b", Path::new("personas/poet.md"), "A poet."),
            idempotency_key("ws_a", Path::new("personas/poet2.md"), "A poet."),
            idempotency_key("ws_a", Path::new("personas/poet.md"), "A poet!"),
            // Parts cannot run into each other.
            idempotency_key("ws_a", Path::new("personas/poet.mdA"), " poet."),
        ] {
            assert_ne!(key, other);
        }
    }
}
