//! `persona personas`: create personas from briefs, read and version them, keep YAML working
//! copies in sync with the server (pull, push, diff, edit), and a whole folder (status, apply).

mod apply;
mod archive;
mod create;
pub use create::run_failure;
mod diff;
mod edit;
mod folder;
mod fork;
mod get;
mod list;
mod lookup;
pub use lookup::get_persona;
mod pull;
mod push;
mod render;
mod status;
mod unarchive;
mod versions;
mod working_copy;

use clap::Subcommand;

use crate::context::Context;
use crate::error::Result;

#[derive(Debug, Subcommand)]
pub enum PersonasCommand {
    /// Generate a persona from a brief, watching the run live
    Create(create::CreateArgs),
    /// List the workspace's personas, newest first
    List(list::ListArgs),
    /// Show one persona by id, slug or slug@vN
    Get(get::GetArgs),
    /// List a persona's versions
    Versions(versions::VersionsArgs),
    /// Fork a persona, optionally refining it with a new intent
    Fork(fork::ForkArgs),
    /// Archive a persona (hidden from lists unless --archived; it keeps its slug)
    Archive(archive::ArchiveArgs),
    /// Bring an archived persona back into lists
    Unarchive(unarchive::UnarchiveArgs),
    /// Write a persona, or every persona (--all), to YAML working copies
    Pull(pull::PullArgs),
    /// Send the edits of YAML working copies to the server
    Push(push::PushArgs),
    /// Show how a working copy differs from the server
    Diff(diff::DiffArgs),
    /// Edit a persona in your editor and push the result
    Edit(edit::EditArgs),
    /// Show where each working copy and brief of a folder stands against the workspace
    Status(status::StatusArgs),
    /// Make the workspace hold what a folder of briefs and working copies says: plan, then apply
    Apply(apply::ApplyArgs),
}

pub async fn dispatch(ctx: &Context, command: PersonasCommand) -> Result<()> {
    match command {
        PersonasCommand::Create(args) => create::run(ctx, args).await,
        PersonasCommand::List(args) => list::run(ctx, args).await,
        PersonasCommand::Get(args) => get::run(ctx, args).await,
        PersonasCommand::Versions(args) => versions::run(ctx, args).await,
        PersonasCommand::Fork(args) => fork::run(ctx, args).await,
        PersonasCommand::Archive(args) => archive::run(ctx, args).await,
        PersonasCommand::Unarchive(args) => unarchive::run(ctx, args).await,
        PersonasCommand::Pull(args) => pull::run(ctx, args).await,
        PersonasCommand::Push(args) => push::run(ctx, args).await,
        PersonasCommand::Diff(args) => diff::run(ctx, args).await,
        PersonasCommand::Edit(args) => edit::run(ctx, args).await,
        PersonasCommand::Status(args) => status::run(ctx, args).await,
        PersonasCommand::Apply(args) => apply::run(ctx, args).await,
    }
}
