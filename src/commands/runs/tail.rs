//! `persona runs tail RUN_ID`: follows a run's events until its terminal event, as readable
//! lines, NDJSON, or the persona drawn as its JSON patches arrive; never loses or repeats one.

use std::collections::HashSet;
use std::io::Write;

use clap::Args;
use clap_complete::ArgValueCompleter;
use serde_json::{Value, json};

use crate::client::RunEvent;
use crate::commands::format::{thousands, usd};
use crate::commands::personas::run_failure;
use crate::complete;
use crate::context::Context;
use crate::error::{CliError, ExitKind, Result};
use crate::json::json_patch_apply;
use crate::model::{ErrorSummary, RunEventFields, RunEventKind, RunSummary, view};
use crate::output::{LiveView, Output};

#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  persona runs tail run_a8K2zB
  persona runs tail run_a8K2zB --json | jq -c 'select(.event == \"step.completed\")'
  persona runs tail run_a8K2zB --since 12 --filter layer.delta
  persona runs tail run_a8K2zB --render
  persona runs tail run_a8K2zB --exit-status && echo ok

Reconnects after any drop with Last-Event-ID; gives up with exit 9 after
PERSONA_RECONNECT_TIMEOUT_SECS (default 60) without a connection.")]
pub struct TailArgs {
    /// The run id (run_...)
    #[arg(add = ArgValueCompleter::new(complete::run_ids), value_name = "RUN_ID", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    run_id: String,

    /// Start after this event id instead of replaying from the start
    #[arg(long, value_name = "EVENT_ID", default_value_t = 0)]
    since: i64,

    /// Show only events of this type (repeatable), e.g. step.completed
    #[arg(long, value_name = "TYPE")]
    filter: Vec<String>,

    /// Exit with 8 when the run ended failed or canceled
    #[arg(long)]
    exit_status: bool,

    /// Draw the persona as it fills in, applying each JSON patch: redrawn in place on a
    /// terminal; piped, a YAML document per change
    #[arg(long, conflicts_with = "filter")]
    render: bool,
}

pub async fn run(ctx: &Context, args: TailArgs) -> Result<()> {
    if let Some(unknown) = args
        .filter
        .iter()
        .find(|f| RunEventKind::parse(f).is_none())
    {
        let kinds: Vec<&str> = RunEventKind::ALL.map(RunEventKind::as_str).into();
        return Err(CliError::usage(format!(
            "`{unknown}` is not an event type of a run; use one of {}",
            kinds.join(", ")
        )));
    }
    let client = ctx.client().await?;
    let output = &ctx.output;
    let wanted: HashSet<&str> = args.filter.iter().map(String::as_str).collect();
    let mut events = client.run_events(&args.run_id, args.since)?;
    let mut layers = json!({});
    let mut live = LiveView::default();
    let mut outcome: Option<RunEvent> = None;
    let mut total_tokens = 0u64;
    // NDJSON goes through a buffer that is flushed whenever the stream has to wait, so a replay
    // of a long run is written in large blocks and a live run still shows each event at once.
    let mut ndjson = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout());
    loop {
        let next = match events.next_ready() {
            Some(next) => next?,
            None => {
                let _ = ndjson.flush();
                events.next().await?
            }
        };
        let Some(event) = next else {
            break;
        };
        if args.render && event.event == "layer.delta" {
            // A patch that does not apply means this view started mid-run (`--since`); the
            // legacy path/value pair still says what changed.
            let patch = view::<RunEventFields>(event.data()).patch;
            let _ = json_patch_apply(&mut layers, patch.as_ref().unwrap_or(&Value::Null));
        }
        if event.event == "step.completed" {
            total_tokens += view::<RunEventFields>(event.data()).tokens.unwrap_or(0);
        }
        let shown = wanted.is_empty() || wanted.contains(event.event.as_str());
        if shown {
            if output.json && output.stdout_is_terminal() {
                // Through the escaping writer: the server's text is shown, not obeyed.
                let mut line = Vec::new();
                let _ = write_ndjson_line(&mut line, event.id, &event.event, &event.data_json());
                output.raw(&String::from_utf8_lossy(&line));
            } else if output.json {
                let _ = write_ndjson_line(&mut ndjson, event.id, &event.event, &event.data_json());
            } else if args.render {
                draw(output, &mut live, &layers, &event);
            } else {
                output.line(describe(output, &event));
            }
        }
        if event.is_terminal() {
            outcome = Some(event);
        }
    }
    let _ = ndjson.flush();
    let Some(last) = outcome else {
        // Started after the terminal event (`--since`): the run's status tells how it ended.
        let run = client.get_run(&args.run_id).await?;
        if !output.json {
            output.info(run_closing_line(&run));
        }
        let status = view::<RunSummary>(&run).status;
        let failed = matches!(status.as_deref(), Some("failed" | "canceled"));
        return if failed && args.exit_status {
            Err(CliError::reported(ExitKind::RunFailed))
        } else {
            Ok(())
        };
    };
    if !output.json {
        // After `--since` the events seen do not hold the whole run's tokens: the run does.
        let line = if args.since > 0 {
            run_closing_line(&client.get_run(&args.run_id).await?)
        } else {
            closing_line(&last, total_tokens)
        };
        output.info(line);
    }
    match last.event.as_str() {
        "run.failed" if args.exit_status => Err(quiet(run_failure(&last))),
        "run.canceled" if args.exit_status => Err(CliError::reported(ExitKind::RunFailed)),
        _ => Ok(()),
    }
}

/// `{"id":…,"event":…,"data":…}` and a line break, for an event of a stream whose `data` is
/// one line of JSON; written in pieces (no formatting machinery: a replay writes one of these
/// per event).
pub(crate) fn write_ndjson_line(
    out: &mut impl Write,
    id: i64,
    event: &str,
    data: &str,
) -> std::io::Result<()> {
    out.write_all(b"{\"id\":")?;
    serde_json::to_writer(&mut *out, &id)?;
    out.write_all(b",\"event\":")?;
    serde_json::to_writer(&mut *out, event)?;
    out.write_all(b",\"data\":")?;
    out.write_all(data.as_bytes())?;
    out.write_all(b"}\n")
}

/// The run's failure reported through the closing line already: only the exit code remains.
fn quiet(mut error: CliError) -> CliError {
    error.kind = ExitKind::RunFailed;
    error.into_reported()
}

fn closing_line(last: &RunEvent, tokens: u64) -> String {
    let data: RunEventFields = view(last.data());
    match last.event.as_str() {
        "run.completed" => format!(
            "run completed · persona {} · {} tokens · {}",
            data.persona_id.as_deref().unwrap_or("?"),
            thousands(tokens),
            usd(data.total_cost_usd.unwrap_or(0.0))
        ),
        "run.failed" => failed_line(data.error),
        _ => "run canceled".to_string(),
    }
}

/// The closing line from the run object: its totals cover events a `--since` view skipped.
fn run_closing_line(run: &Value) -> String {
    let run: RunSummary = view(run);
    match run.status.as_deref().unwrap_or("?") {
        "completed" => format!(
            "run completed · persona {} · {} tokens · {}",
            run.persona_id.as_deref().unwrap_or("?"),
            thousands(run.tokens.unwrap_or(0)),
            usd(run.cost_usd.unwrap_or(0.0))
        ),
        "failed" => failed_line(run.error),
        other => format!("run {other}"),
    }
}

/// `run failed · <message> (<code>)`.
fn failed_line(error: Option<ErrorSummary>) -> String {
    let error = error.unwrap_or_default();
    format!(
        "run failed · {} ({})",
        error.message.as_deref().unwrap_or("no reason given"),
        error.code.as_deref().unwrap_or("?")
    )
}

/// One human line: event id, type, and what the event says.
fn describe(output: &Output, event: &RunEvent) -> String {
    let data: RunEventFields = view(event.data());
    let step = data.step.as_deref().unwrap_or("");
    let detail = match event.event.as_str() {
        "step.completed" => format!(
            "{step}  {} tokens  {}",
            thousands(data.tokens.unwrap_or(0)),
            usd(data.cost_usd.unwrap_or(0.0))
        ),
        "layer.delta" => format!(
            "{}  {}",
            data.path.as_deref().unwrap_or(""),
            short_value(data.value.as_ref().unwrap_or(&Value::Null))
        ),
        "run.completed" => format!(
            "persona {}  total {}",
            data.persona_id.as_deref().unwrap_or("?"),
            usd(data.total_cost_usd.unwrap_or(0.0))
        ),
        "run.failed" => data
            .error
            .and_then(|error| error.message)
            .unwrap_or_default(),
        _ => step.to_string(),
    };
    let kind = match event.event.as_str() {
        "run.completed" => output.paint(&event.event, "32"),
        "run.failed" | "run.canceled" => output.paint(&event.event, "31"),
        "layer.delta" => output.paint(&event.event, "2"),
        _ => event.event.clone(),
    };
    let pad = 15usize.saturating_sub(event.event.len());
    format!("{:>4}  {kind}{}  {detail}", event.id, " ".repeat(pad))
}

/// A value in at most 60 characters of one line.
fn short_value(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let one_line = text.replace('\n', " ");
    if one_line.chars().count() > 60 {
        format!("{}…", one_line.chars().take(59).collect::<String>())
    } else {
        one_line
    }
}

/// The persona built so far: redrawn in place on a terminal, the last frame left standing.
/// Piped, a frame is appended each time the persona changes and once at the end, each a YAML
/// document (`--- # event N · type`), so the stream reads as YAML and its last one is the whole.
fn draw(output: &Output, live: &mut LiveView, layers: &Value, event: &RunEvent) {
    let yaml = crate::persona_file::object_to_yaml(layers);
    if output.stdout_is_terminal() {
        let title = format!(
            "{}  event {} · {}",
            output.paint("persona", "1"),
            event.id,
            event.event
        );
        live.draw(output, &format!("{title}\n\n{yaml}"), event.is_terminal());
    } else if event.event == "layer.delta" || event.is_terminal() {
        output.raw(&format!(
            "--- # event {} · {}\n{yaml}",
            event.id, event.event
        ));
    }
}
