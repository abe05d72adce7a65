//! `persona webhooks create --url URL [--events a,b]`: a new endpoint for some or all events;
//! its signing secret is printed once, on stdout, and never again.

use clap::Args;

use crate::client::webhooks::CreateWebhook;
use crate::commands::format::text;
use crate::context::Context;
use crate::error::Result;

#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  persona webhooks create --url https://example.com/hooks/persona
  persona webhooks create --url https://example.com/hooks --events persona.created,run.failed
  persona webhooks create --url https://example.com/hooks --json | jq -r .secret

The signing secret (whsec_...) is printed on stdout and is never shown again: keep it
where your handler reads it, and check deliveries with `persona webhooks verify`.")]
pub struct CreateArgs {
    /// Where to POST events: an http or https URL
    #[arg(long, value_name = "URL")]
    url: String,

    /// Event types to send, comma-separated (default: all), e.g. persona.created,run.failed
    #[arg(long, value_delimiter = ',', value_name = "TYPES")]
    events: Vec<String>,

    /// A note that tells this endpoint apart
    #[arg(long, value_name = "TEXT")]
    description: Option<String>,
}

pub async fn run(ctx: &Context, args: CreateArgs) -> Result<()> {
    let body = CreateWebhook {
        url: args.url,
        events: (!args.events.is_empty()).then_some(args.events),
        description: args.description,
    };
    let endpoint = ctx.client().await?.create_webhook(&body).await?;
    ctx.output.emit(&endpoint, |out| {
        out.line(text(&endpoint["secret"]));
        let events: Vec<String> = endpoint["events"]
            .as_array()
            .into_iter()
            .flatten()
            .map(text)
            .collect();
        out.success(format!(
            "Created webhook endpoint {} → {} (events: {})",
            text(&endpoint["id"]),
            text(&endpoint["url"]),
            events.join(", ")
        ));
        out.info("Above is its signing secret; it is not shown again.");
    });
    Ok(())
}
