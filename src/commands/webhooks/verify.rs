//! `persona webhooks verify`: checks a captured delivery (its `Persona-Signature` header and the
//! raw body on stdin) against a signing secret, in constant time and within a replay window.

use std::io::{IsTerminal, Read};

use clap::Args;
use serde_json::json;

use super::exit_only;
use crate::clock;
use crate::context::Context;
use crate::error::{CliError, ExitKind, Result};
use crate::model::signature::{self, DEFAULT_TOLERANCE_SECONDS, Verdict};

#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  persona webhooks verify --secret whsec_... --header 'Persona-Signature: t=1700000000,v1=5f2b...' < body.json
  PERSONA_WEBHOOK_SECRET=whsec_... persona webhooks verify --header \"$SIG\" --tolerance 600 < body.json

The body must be the exact bytes received. Exit codes: 0 valid; 4 the signature does not match
(body changed, or another secret) or the timestamp is outside the tolerance (a possible replay);
2 the header cannot be read or no body was given.")]
pub struct VerifyArgs {
    /// The endpoint's signing secret, whsec_...
    #[arg(
        long,
        env = "PERSONA_WEBHOOK_SECRET",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    secret: String,

    /// The signature header as received: 'Persona-Signature: t=...,v1=...' or 't=...,v1=...'
    #[arg(long, value_name = "HEADER")]
    header: String,

    /// Largest accepted distance of the signature's timestamp from now, in seconds
    #[arg(long, default_value_t = DEFAULT_TOLERANCE_SECONDS, value_name = "SECONDS")]
    tolerance: u64,
}

pub async fn run(ctx: &Context, args: VerifyArgs) -> Result<()> {
    if args.secret.trim().is_empty() {
        return Err(CliError::usage("the signing secret is empty").with_hint(
            "give the endpoint's secret (whsec_...) with --secret or PERSONA_WEBHOOK_SECRET",
        ));
    }
    let mut stdin = std::io::stdin();
    let usage = || {
        CliError::usage("give the raw request body on stdin")
            .with_hint("persona webhooks verify --secret whsec_... --header '...' < body.json")
    };
    if stdin.is_terminal() {
        return Err(usage());
    }
    let mut body = Vec::new();
    stdin.read_to_end(&mut body)?;
    // Every delivery has a JSON body: nothing at all means the body was not given.
    if body.is_empty() {
        return Err(usage());
    }
    let verdict = signature::verify(
        &args.secret,
        &args.header,
        &body,
        clock::now(),
        args.tolerance,
    );
    let output = &ctx.output;
    let (name, timestamp, age) = match &verdict {
        Verdict::Valid { timestamp, age } => ("valid", Some(*timestamp), Some(*age)),
        Verdict::Mismatch { timestamp } => ("signature_mismatch", Some(*timestamp), None),
        Verdict::Stale { timestamp, age } => {
            ("timestamp_outside_tolerance", Some(*timestamp), Some(*age))
        }
        Verdict::Malformed(_) => ("malformed_header", None, None),
    };
    if output.json {
        output.json_value(&json!({
            "valid": matches!(verdict, Verdict::Valid { .. }),
            "verdict": name,
            "timestamp": timestamp,
            "age_seconds": age,
            "tolerance_seconds": args.tolerance,
        }));
    }
    let error = match verdict {
        Verdict::Valid { age, .. } => {
            if !output.json {
                output.line(format!("valid: signed {}", when(age)));
            }
            return Ok(());
        }
        Verdict::Mismatch { .. } => CliError::new(
            ExitKind::Auth,
            "the signature does not match this body and secret",
        )
        .with_hint("the body must be the exact bytes received; check that the secret is the endpoint's"),
        Verdict::Stale { age, .. } => CliError::new(
            ExitKind::Auth,
            format!(
                "the signature is authentic but was made {}, outside the tolerance of {}s (a possible replay)",
                when(age),
                args.tolerance
            ),
        )
        .with_hint("a delivery is signed when it is sent; accept only recent ones, or raise --tolerance to check an old capture"),
        Verdict::Malformed(problem) => CliError::usage(format!(
            "the signature header cannot be read: {problem}"
        ))
        .with_hint("expected 'Persona-Signature: t=<unix seconds>,v1=<hex>'"),
    };
    Err(if output.json { exit_only(error) } else { error })
}

/// `12s ago`, `3s in the future`.
fn when(age: i64) -> String {
    if age >= 0 {
        format!("{age}s ago")
    } else {
        format!("{}s in the future", age.unsigned_abs())
    }
}
