//! `persona webhooks delete ENDPOINT_ID`: removes an endpoint with its deliveries; deleting the
//! listen endpoint gives the next `listen` session a new signing secret.

use clap::Args;
use clap_complete::ArgValueCompleter;
use serde_json::json;

use crate::complete;
use crate::context::Context;
use crate::error::Result;

#[derive(Debug, Args)]
#[command(
    after_long_help = "Examples:\n  persona webhooks delete whk_8Jd2kQ\n\nIts deliveries, pending and past, are deleted with it."
)]
pub struct DeleteArgs {
    /// The endpoint id (whk_...)
    #[arg(add = ArgValueCompleter::new(complete::webhook_ids), value_name = "ENDPOINT_ID", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    id: String,
}

pub async fn run(ctx: &Context, args: DeleteArgs) -> Result<()> {
    ctx.client().await?.delete_webhook(&args.id).await?;
    ctx.output
        .emit(&json!({ "id": args.id, "deleted": true }), |out| {
            out.success(format!("Deleted webhook endpoint {}", args.id));
        });
    Ok(())
}
