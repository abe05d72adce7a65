//! `persona webhooks create --url URL [--events a,b]`: a new endpoint for some or all events;
//! its signing secret is printed once, on stdout, and never again.

use clap::Args;

use crate::client::webhooks::CreateWebhook;
use crate::commands::format::or_dash;
use crate::context::Context;
use crate::error::Result;
use crate::model::{WebhookEndpoint, view};

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
        let created: WebhookEndpoint = view(&endpoint);
        out.line(or_dash(created.secret));
        out.success(format!(
            "Created webhook endpoint {} → {} (events: {})",
            or_dash(created.id),
            or_dash(created.url),
            created.events.unwrap_or_default().join(", ")
        ));
        out.info("Above is its signing secret; it is not shown again.");
    });
    Ok(())
}
