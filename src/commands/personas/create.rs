//! `persona personas create`: a persona from a brief (file, stdin or `--intent`), with the run
//! shown live on a terminal, the persona summarised, and optionally its working copy written.

use std::path::{Path, PathBuf};

use clap::Args;
use indicatif::ProgressBar;

use super::{render, working_copy};
use crate::brief::{Brief, BriefError, parse_brief};
use crate::client::{ApiClient, CreatePersona, RunEvent, new_idempotency_key};
use crate::commands::format::{thousands, usd};
use crate::context::Context;
use crate::error::{CliError, ExitKind, Result};
use crate::model::{Failure, RunEventFields, RunSummary, view};
use crate::output::escape_controls_one_line;
use crate::persona_file;

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("brief").required(true).multiple(false))]
#[command(after_long_help = "\
Examples:
  persona personas create -f examples/brief.md
  persona personas create --intent \"35-year-old, lonely ex-academic bookseller in Istanbul\" --language tr
  cat brief.md | persona personas create -f - -o bookseller.yml
  persona personas create -f brief.md --no-wait

A brief is Markdown: its body is the intent (1 to 4000 characters), and an optional YAML front
matter sets language, visibility, pipeline, seed, budget_usd, slug and custom_fields. Flags win
over the front matter.")]
pub struct CreateArgs {
    /// The brief: a Markdown file or a pipe (`<(cat brief.md)`), or `-` for standard input
    #[arg(short = 'f', long = "file", value_name = "FILE", group = "brief")]
    file: Option<PathBuf>,

    /// The character brief as text, instead of a file
    #[arg(long, value_name = "TEXT", group = "brief")]
    intent: Option<String>,

    /// Primary speaking language (ISO-639-1, e.g. en, tr)
    #[arg(long, value_name = "CODE")]
    language: Option<String>,

    /// Who can see the persona
    #[arg(long, value_parser = ["private", "workspace", "public"])]
    visibility: Option<String>,

    /// The generation pipeline (e.g. default, strict-audit)
    #[arg(long, value_name = "NAME")]
    pipeline: Option<String>,

    /// Reproducibility seed: the same brief and seed give the same persona
    #[arg(long, value_name = "N")]
    seed: Option<u64>,

    /// Hard cost cap in US dollars, a positive number; the run stops before a step that would
    /// take its cost over it
    #[arg(long, value_name = "USD", allow_hyphen_values = true, value_parser = positive_usd)]
    budget_usd: Option<f64>,

    /// The persona's slug (default: derived from the generated persona)
    #[arg(long)]
    slug: Option<String>,

    /// Also write the persona's YAML working copy to this file
    #[arg(short = 'o', long = "output", value_name = "FILE.yml")]
    output_file: Option<PathBuf>,

    /// Print the run id and return at once; the run goes on (follow it with `persona runs tail`)
    #[arg(long, conflicts_with = "output_file")]
    no_wait: bool,
}

pub async fn run(ctx: &Context, args: CreateArgs) -> Result<()> {
    let body = request_body(&args).await?;
    let client = ctx.client().await?;
    let idempotency_key = new_idempotency_key();
    let output = &ctx.output;

    if args.no_wait {
        let accepted = client.create_persona_async(&body, &idempotency_key).await?;
        output.emit(&accepted, |out| {
            out.line(&accepted.run.id);
            out.info(format!(
                "Run {} accepted ({}) for persona {}; follow it with `persona runs tail {}`",
                accepted.run.id, accepted.status, accepted.id, accepted.run.id
            ));
        });
        return Ok(());
    }

    let mut events = client
        .create_persona_stream(&body, &idempotency_key)
        .await?;
    let mut progress = RunProgress::new(ctx);
    let mut persona_id = None;
    while let Some(event) = events.next().await? {
        if let Some(run_id) = events.run_id() {
            ctx.follow_run(run_id);
            if event.event == "run.started" {
                progress.plan(client, run_id).await;
            }
        }
        progress.show(&event);
        match event.event.as_str() {
            "run.completed" => persona_id = view::<RunEventFields>(event.data()).persona_id,
            "run.failed" => {
                progress.finish();
                return Err(run_failure(&event));
            }
            "run.canceled" => {
                progress.finish();
                return Err(CliError::new(
                    ExitKind::RunFailed,
                    format!("run {} was canceled", events.run_id().unwrap_or("?")),
                ));
            }
            _ => {}
        }
    }
    progress.finish();
    let persona_id =
        persona_id.ok_or_else(|| CliError::general("the run ended without naming its persona"))?;
    let persona = client.get_persona(&persona_id).await?;
    if let Some(path) = &args.output_file {
        working_copy::write(path, &persona)?;
    }
    output.emit(&persona, |out| {
        out.line(render::summary(out, &persona));
        if let Some(path) = &args.output_file {
            out.success(format!("Wrote the working copy to {}", path.display()));
        }
    });
    Ok(())
}

/// The create request: the brief's front matter, overridden by flags.
async fn request_body(args: &CreateArgs) -> Result<CreatePersona> {
    let brief = match (&args.intent, &args.file) {
        (Some(intent), _) => {
            let intent = intent.trim();
            let chars = intent.chars().count();
            if chars == 0 {
                return Err(CliError::usage("--intent is empty: describe the character"));
            }
            if chars > Brief::MAX_INTENT_CHARS {
                return Err(CliError::usage(format!(
                    "--intent has {chars} characters; the limit is {}",
                    Brief::MAX_INTENT_CHARS
                )));
            }
            Brief::new(intent)
        }
        (None, Some(path)) => {
            let (name, text) = read_brief(path.clone()).await?;
            parse_brief(&text).map_err(|err| brief_error(&name, &err))?
        }
        (None, None) => {
            return Err(CliError::usage(
                "give a brief with -f FILE, or the intent with --intent",
            ));
        }
    };
    let written = brief.create_request();
    Ok(CreatePersona {
        language: args.language.clone().or(written.language),
        visibility: args.visibility.clone().or(written.visibility),
        pipeline: args.pipeline.clone().or(written.pipeline),
        seed: args.seed.or(written.seed),
        budget_usd: args.budget_usd.or(written.budget_usd),
        slug: args.slug.clone().or(written.slug),
        ..written
    })
}

/// A brief that does not parse, as a usage error naming the file (and line, when known).
pub fn brief_error(name: &str, err: &BriefError) -> CliError {
    let location = err.line.map(|line| format!(":{line}")).unwrap_or_default();
    CliError::usage(format!("{name}{location}: {err}"))
}

/// A budget: a positive, finite number of US dollars (`-1`, `0`, `inf` and `abc` are refused).
fn positive_usd(text: &str) -> std::result::Result<f64, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|usd| usd.is_finite() && *usd > 0.0)
        .ok_or_else(|| "a budget is a positive number of US dollars, e.g. 0.5".to_string())
}

/// The brief's name and text: standard input for `-`, else a file or a pipe (see
/// `persona_file::read_text_stream`). Read on a blocking thread, so that Ctrl-C still ends a
/// pipe that never closes.
async fn read_brief(path: PathBuf) -> Result<(String, String)> {
    tokio::task::spawn_blocking(move || read_brief_now(&path))
        .await
        .map_err(|err| CliError::general(format!("the brief could not be read: {err}")))?
}

fn read_brief_now(path: &Path) -> Result<(String, String)> {
    if path.as_os_str() == "-" {
        let text = persona_file::read_limited(std::io::stdin().lock()).map_err(|err| {
            CliError::io(
                ExitKind::Usage,
                "cannot read the brief from standard input",
                err,
            )
        })?;
        return Ok(("<stdin>".to_string(), text));
    }
    let text = persona_file::read_text_stream(path).map_err(|err| {
        let missing = err.kind() == std::io::ErrorKind::NotFound;
        let error = CliError::io(
            ExitKind::Usage,
            format!("cannot read the brief {}", path.display()),
            err,
        );
        if missing {
            error.with_hint(
                "check the path; `-f -` reads the brief from standard input, and `--intent TEXT` takes it as text",
            )
        } else {
            error
        }
    })?;
    Ok((path.display().to_string(), text))
}

/// The error of a `run.failed` event: the server's error, exit 7 for a budget or moderation
/// stop, 8 otherwise.
pub fn run_failure(event: &RunEvent) -> CliError {
    let data = event.data();
    let status = match view::<Failure>(data).code().unwrap_or("") {
        "persona.cost_budget_exceeded" => 402,
        c if c.starts_with("moderation.") => 403,
        _ => 500,
    };
    // The event's data is `{run_id, error}`: the error envelope of the contract.
    let mut failure = CliError::from_api(status, data);
    if failure.kind != ExitKind::Budget {
        failure.kind = ExitKind::RunFailed;
    }
    failure
}

/// The live view of a run on a terminal (stderr, so also under `--json`): a spinner naming the
/// step it waits for and counting the steps (`2/6 soul_draft`), with tokens and cost so far,
/// and a line per finished step. Nothing at all without a terminal.
struct RunProgress {
    bar: Option<ProgressBar>,
    /// The run's steps in order, once the run has said them.
    steps: Vec<String>,
    tokens: u64,
    cost: f64,
    color: crate::output::Output,
}

impl RunProgress {
    fn new(ctx: &Context) -> Self {
        let bar = ctx.output.spinner("starting the run…");
        RunProgress {
            bar,
            steps: Vec::new(),
            tokens: 0,
            cost: 0.0,
            color: ctx.output.clone(),
        }
    }

    /// Reads the run's steps from the run (which lists them all once it has started), to count
    /// them; without them the spinner names each step alone.
    async fn plan(&mut self, client: &ApiClient, run_id: &str) {
        if self.bar.is_none() || !self.steps.is_empty() {
            return;
        }
        if let Ok(run) = client.get_run(run_id).await {
            let steps = view::<RunSummary>(&run).steps.unwrap_or_default();
            self.steps = steps.into_iter().filter_map(|step| step.name).collect();
        }
    }

    /// `2/6 soul_draft`, or `soul_draft` when the steps are not known; escaped, since the bar
    /// writes to the terminal itself.
    fn counted(&self, step: &str) -> String {
        let name = escape_controls_one_line(step);
        match self.steps.iter().position(|known| known == step) {
            Some(index) => format!("{}/{} {name}", index + 1, self.steps.len()),
            None => name.into_owned(),
        }
    }

    /// `· 3,418 tokens · $0.14`.
    fn totals(&self) -> String {
        format!("· {} tokens · {}", thousands(self.tokens), usd(self.cost))
    }

    fn show(&mut self, event: &RunEvent) {
        let Some(bar) = &self.bar else {
            return;
        };
        let data: RunEventFields = view(event.data());
        let step = data.step.as_deref().unwrap_or("");
        match event.event.as_str() {
            "run.started" | "step.started" if !step.is_empty() => {
                bar.set_message(format!("{} {}", self.counted(step), self.totals()));
            }
            "step.completed" => {
                let tokens = data.tokens.unwrap_or(0);
                self.tokens += tokens;
                self.cost = data.total_cost_usd.unwrap_or(self.cost);
                let done = format!(
                    "{} {:<22} {:>7} tokens  {}",
                    self.color.paint_err("✓", "32"),
                    self.counted(step),
                    thousands(tokens),
                    usd(data.cost_usd.unwrap_or(0.0))
                );
                bar.suspend(|| self.color.notice(done));
                // The spinner names the step it now waits for.
                let next = self
                    .steps
                    .iter()
                    .position(|known| known == step)
                    .and_then(|index| self.steps.get(index + 1));
                let waiting = match next {
                    Some(next) => self.counted(next),
                    None => "next step…".to_string(),
                };
                bar.set_message(format!("{waiting} {}", self.totals()));
            }
            "layer.delta" => bar.set_message(format!(
                "{} · {} {}",
                self.counted(step),
                escape_controls_one_line(data.path.as_deref().unwrap_or("")),
                self.totals()
            )),
            _ => {}
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}
