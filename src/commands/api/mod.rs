//! `persona api PATH`: any endpoint of the API with the profile's key, retries and idempotency,
//! its answer ready for a pipe (jq built in), lists followed to the end, event streams resumed.

mod jq;
mod output;
mod paging;
mod request;
mod routes;
mod stream;

use clap::Args;
use reqwest::Method;

use crate::context::Context;
use crate::error::{CliError, Result};
use jq::Jq;
use output::Printer;
use request::Draft;
use stream::Stream;

#[derive(Debug, Args)]
#[command(after_long_help = routes::help())]
pub struct ApiArgs {
    /// The path below the profile's API URL, e.g. `personas?limit=5` or `/v1/runs/RUN_ID`
    #[arg(value_name = "PATH", value_parser = routes::PathParser, hide_possible_values = true)]
    path: String,

    /// The HTTP method (default GET, or POST when fields or --input are given)
    #[arg(short = 'X', long, value_name = "METHOD")]
    method: Option<String>,

    /// A string field KEY=VALUE of the JSON body (of the query for GET); `key[sub]=v` nests
    #[arg(short = 'f', long = "raw-field", value_name = "KEY=VALUE")]
    raw_fields: Vec<String>,

    /// A typed field: numbers, true, false and null as JSON, @FILE for a file's text (@- stdin)
    #[arg(short = 'F', long = "field", value_name = "KEY=VALUE")]
    fields: Vec<String>,

    /// Send FILE (- for stdin) as the body, as it is; fields then go to the query
    #[arg(long, value_name = "FILE")]
    input: Option<String>,

    /// Add a header `Name: value` (repeatable); the profile's key is sent, never yours
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    headers: Vec<String>,

    /// Print the request and the answer's status line and headers first (the key redacted)
    #[arg(short = 'i', long)]
    include: bool,

    /// Print nothing on stdout; the exit code still tells how it went
    #[arg(long)]
    silent: bool,

    /// Follow `next_cursor` to the last page, printing one JSON array of every page's items
    #[arg(long, conflicts_with = "include")]
    paginate: bool,

    /// Filter the answer with a jq expression (each page with --paginate, each event of a
    /// stream); strings print without quotes
    #[arg(long, value_name = "EXPR")]
    jq: Option<String>,
}

pub async fn run(ctx: &Context, args: ApiArgs) -> Result<()> {
    let jq = args.jq.as_deref().map(Jq::compile).transpose()?;
    let draft = Draft::from_args(&args)?;
    if args.paginate && draft.method != Method::GET {
        return Err(CliError::usage(format!(
            "--paginate follows lists, which are read with GET, not {}",
            draft.method
        )));
    }
    let client = ctx.client().await?;
    let (path, query) = client.locate(&args.path)?;
    let request = draft.at(path, query)?;
    let printer = Printer::new(&ctx.output, args.silent, jq);
    if request.method == Method::GET
        && let Some(stream) = Stream::of(&request.path)
    {
        if args.include || args.paginate {
            return Err(CliError::usage(format!(
                "{} is an event stream: it takes neither --include nor --paginate",
                args.path
            )));
        }
        return stream::follow(client, stream, &request, &printer).await;
    }
    if args.paginate {
        return paging::print_every_page(client, request, &printer).await;
    }
    let answer = client.raw(&request).await?;
    printer.answer(answer, args.include).await
}
