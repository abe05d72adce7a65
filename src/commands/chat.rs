//! `persona chat REF`: talk to a persona. One message with `-m` or from a pipe; on a terminal
//! without `-m`, an interactive session with the reply streamed as it arrives.

use std::io::IsTerminal;

use clap::Args;
use clap_complete::ArgValueCompleter;
use rustyline::DefaultEditor;
use rustyline::error::ReadlineError;
use serde_json::{Value, json};

use crate::client::ApiClient;
use crate::commands::personas::get_persona;
use crate::complete;
use crate::context::Context;
use crate::error::{CliError, ExitKind, Result};
use crate::model::{Conversation, Failure, PersonaRef, PersonaSummary, Turn, view};

#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  persona chat the-istanbul-bookseller                       # an interactive session
  persona chat the-istanbul-bookseller -m \"Which poet do you love?\"
  echo \"Tell me about your shop\" | persona chat the-istanbul-bookseller --json
  persona chat the-istanbul-bookseller --conversation conv_72bQ9 -m \"And then?\"

In a session, lines are edited as in a shell (arrows, Home/End, Ctrl-A/E/K/U/W) with Up and
Down for the messages sent before; Ctrl-C clears the line (or stops a reply), and Ctrl-D on an
empty line or /exit ends the session. /new starts a new conversation and /help lists the
commands. Replies wrap at word boundaries to the terminal's width as they stream in.")]
pub struct ChatArgs {
    /// The persona: id, slug, or either with @vN
    #[arg(add = ArgValueCompleter::new(complete::persona_refs), value_name = "REF", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    reference: String,

    /// Send this one message and print the reply (without it, a pipe on stdin is the message)
    #[arg(short = 'm', long = "message", value_name = "TEXT")]
    message: Option<String>,

    /// Continue this conversation instead of starting a new one
    #[arg(add = ArgValueCompleter::new(complete::conversation_ids), long, value_name = "ID")]
    conversation: Option<String>,

    /// Print the drift scores (voice, values, verdict) and coherence after each reply
    #[arg(long)]
    show_drift: bool,
}

pub async fn run(ctx: &Context, args: ChatArgs) -> Result<()> {
    let reference =
        PersonaRef::parse(&args.reference).map_err(|err| CliError::usage(err.to_string()))?;
    let client = ctx.client().await?;
    let persona: PersonaSummary = view(&get_persona(client, &args.reference).await?);
    let persona_id = persona.id.clone().unwrap_or_default();
    // A conversation talks to the version the reference names: `slug@v1` stays version 1.
    let target = PersonaRef {
        base: persona_id.clone(),
        version: reference.version,
    };
    let interactive =
        args.message.is_none() && std::io::stdin().is_terminal() && ctx.output.stdout_is_terminal();
    if interactive && !ctx.output.json {
        return session(ctx, client, &persona, &target, args).await;
    }
    let message = match &args.message {
        Some(text) => text.clone(),
        None => read_stdin_message()?,
    };
    let conversation = match &args.conversation {
        Some(id) => id.clone(),
        None => new_conversation(client, &target).await?,
    };
    let mut turn = if ctx.output.json {
        client
            .send_message(&conversation, &persona_id, &message)
            .await?
    } else {
        stream_reply(ctx, client, &conversation, &persona_id, &message, 0).await?
    };
    if let Value::Object(fields) = &mut turn {
        fields.insert("conversation_id".to_string(), json!(conversation));
    }
    ctx.output.emit(&turn, |out| {
        report(ctx, &turn, args.show_drift);
        out.info(format!(
            "conversation {conversation}: continue with `persona chat {} --conversation {conversation}`",
            args.reference
        ));
    });
    Ok(())
}

fn read_stdin_message() -> Result<String> {
    if std::io::stdin().is_terminal() {
        return Err(CliError::usage(
            "give a message with -m TEXT, or pipe one in",
        ));
    }
    let text = crate::persona_file::read_limited(std::io::stdin().lock()).map_err(|err| {
        CliError::usage(format!(
            "cannot read the message from standard input: {err}"
        ))
        .with_source(err)
    })?;
    let text = text.trim().to_string();
    if text.is_empty() {
        return Err(CliError::usage("the message is empty"));
    }
    Ok(text)
}

async fn new_conversation(client: &ApiClient, target: &PersonaRef) -> Result<String> {
    let conversation: Conversation = view(&client.create_conversation(&target.to_string()).await?);
    conversation
        .id
        .ok_or_else(|| CliError::general("the server did not name the new conversation"))
}

/// Sends one message, prints the reply on stdout as it streams in (on a terminal, wrapped at
/// word boundaries, its first line starting at `column`), and returns the whole turn.
async fn stream_reply(
    ctx: &Context,
    client: &ApiClient,
    conversation: &str,
    persona_id: &str,
    message: &str,
    column: usize,
) -> Result<Value> {
    let output = &ctx.output;
    let mut stream = client
        .send_message_stream(conversation, persona_id, message)
        .await?;
    let mut wrap = output.word_wrap(column);
    let mut printed = false;
    while let Some((event, data)) = stream.next().await? {
        match event.as_str() {
            "message.delta" => {
                let delta: Turn = view(&data);
                let text = delta.content.as_deref().unwrap_or_default();
                output.text_wrapped(wrap.as_mut(), text);
                printed = true;
            }
            "message.completed" => {
                if !printed {
                    let turn: Turn = view(&data);
                    let text = turn.content.as_deref().unwrap_or_default();
                    output.text_wrapped(wrap.as_mut(), text);
                }
                if let Some(wrap) = wrap.as_mut() {
                    output.text_wrapped(None, &wrap.finish());
                }
                output.text("\n");
                return Ok(data);
            }
            "message.failed" => {
                // The data is the API error envelope; its code says which exit code applies.
                let status = match view::<Failure>(&data).code() {
                    Some("provider.unavailable") => 503,
                    Some("rate_limit.exceeded") => 429,
                    _ => 500,
                };
                return Err(CliError::from_api(status, &data));
            }
            _ => {}
        }
    }
    Err(CliError::new(
        ExitKind::Unavailable,
        "the reply ended before it was complete",
    ))
}

/// The drift line after a reply, on stderr.
fn report(ctx: &Context, turn: &Value, show_drift: bool) {
    if !show_drift {
        return;
    }
    let turn: Turn = view(turn);
    let drift = turn.drift.unwrap_or_default();
    let verdict = drift.verdict.as_deref().unwrap_or("?");
    let colour = if verdict == "in-character" {
        "32"
    } else {
        "33"
    };
    ctx.output.notice(format!(
        "drift: voice {:.2}  values {:.2}  {}  coherence {:.1}",
        drift.voice.unwrap_or(0.0),
        drift.values.unwrap_or(0.0),
        ctx.output.paint_err(verdict, colour),
        turn.coherence.unwrap_or(0.0)
    ));
}

/// The interactive session: a header, then prompt → streamed reply until /exit or Ctrl-D. The
/// prompt is a line editor with the session's history; Ctrl-C clears the line, or stops a
/// reply as it streams in.
async fn session(
    ctx: &Context,
    client: &ApiClient,
    persona: &PersonaSummary,
    target: &PersonaRef,
    args: ChatArgs,
) -> Result<()> {
    let output = &ctx.output;
    let name = persona.name().unwrap_or("the persona");
    // The session's own lines wrap at word boundaries too.
    let say =
        |text: &str, sgr: &str| output.notice(output.paint_err(&output.wrap_for_stderr(text), sgr));
    output.notice(output.wrap_for_stderr(&format!(
        "{} — {}",
        output.paint_err(name, "1"),
        persona.voice_register().unwrap_or("")
    )));
    say(
        "Type a message. /new starts over, /exit or Ctrl-D ends.",
        "2",
    );
    let mut conversation = match args.conversation {
        Some(id) => id,
        None => new_conversation(client, target).await?,
    };
    let mut editor = DefaultEditor::new().map_err(input_error)?;
    let prompt = format!("{} ", output.paint("you>", "36"));
    let reply_prompt = format!("{} ", output.paint(&format!("{name}>"), "35"));
    loop {
        // The editor owns the terminal while a line is typed: Ctrl-C is a key then, not a signal.
        let line = match tokio::task::block_in_place(|| editor.readline(&prompt)) {
            Ok(line) => line,
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(err) => return Err(input_error(err)),
        };
        let message = line.trim();
        if !message.is_empty() {
            let _ = editor.add_history_entry(message);
        }
        match message {
            "" => continue,
            "/exit" | "/quit" => break,
            "/new" => {
                conversation = new_conversation(client, target).await?;
                say("(new conversation)", "2");
                continue;
            }
            "/help" | "/?" => {
                say(
                    "/new starts a new conversation, /exit (or Ctrl-D) ends the session, Ctrl-C clears the line or stops a reply, Up and Down recall messages; anything else is sent",
                    "2",
                );
                continue;
            }
            // A lone /word is taken for a mistyped command, not sent to the persona.
            command if command.starts_with('/') && !command.contains(char::is_whitespace) => {
                say(&format!("unknown command {command}; /help lists them"), "2");
                continue;
            }
            _ => {}
        }
        output.text(&reply_prompt);
        let column = console::measure_text_width(&reply_prompt);
        let reply = stream_reply(
            ctx,
            client,
            &conversation,
            target.base.as_str(),
            message,
            column,
        );
        let turn = tokio::select! {
            turn = reply => turn?,
            _ = tokio::signal::ctrl_c() => {
                output.text("\n");
                say("(reply stopped)", "2");
                continue;
            }
        };
        report(ctx, &turn, args.show_drift);
    }
    output.info(format!("conversation {conversation}"));
    Ok(())
}

fn input_error(err: ReadlineError) -> CliError {
    CliError::general(format!("cannot read input: {err}")).with_source(err)
}
