//! `--jq EXPR` with jaq, a jq in Rust: the filter is compiled and run on a thread of its own,
//! so that Ctrl-C still stops a filter that never ends, and its output per input is bounded.

use std::sync::mpsc;

use jaq_core::load::{Arena, File, Loader, lex, parse};
use jaq_core::{Compiler, Ctx, Vars, data, unwrap_valr};
use jaq_json::Val;
use jaq_json::write::Pp;
use tokio::sync::oneshot;

use crate::error::{CliError, Result};
use crate::json::{MAX_DEPTH, text_depth};

type Data = data::JustLut<Val>;
type Filter = jaq_core::Filter<Data>;

/// The most bytes the filter may write for one input (one answer, page or event).
const MAX_OUTPUT: usize = 64 * 1024 * 1024;
/// The stack of the filter's thread: deep recursion in a filter fails there, not in the CLI.
const STACK: usize = 64 * 1024 * 1024;

/// jq's `@csv` and `@tsv`, which jaq's standard library leaves out.
const FORMATS: &str = r#"
def @csv: if type != "array" then error("@csv takes an array, not \(type)") else
  map(if type == "string" then "\"" + (split("\"") | join("\"\"")) + "\""
      elif . == null then ""
      elif type == "boolean" or type == "number" then tojson
      else error("\(type) (\(tojson)) is not valid in a csv row") end)
  | join(",") end;
def @tsv: if type != "array" then error("@tsv takes an array, not \(type)") else
  map(if type == "string" then
        split("\\") | join("\\\\") | split("\t") | join("\\t")
        | split("\n") | join("\\n") | split("\r") | join("\\r")
      elif . == null then ""
      elif type == "boolean" or type == "number" then tojson
      else error("\(type) (\(tojson)) is not valid in a tsv row") end)
  | join("\t") end;
"#;

/// One input for the filter, and where its output goes.
struct Job {
    input: Vec<u8>,
    pretty: bool,
    answer: oneshot::Sender<Result<Vec<u8>>>,
}

/// A compiled filter, waiting on its thread for inputs.
pub struct Jq {
    jobs: mpsc::Sender<Job>,
}

impl Jq {
    /// Compiles `code`; a filter that does not parse or names what does not exist is a usage
    /// error.
    pub fn compile(code: &str) -> Result<Jq> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let (compiled, ready) = mpsc::channel();
        let code = code.to_string();
        std::thread::Builder::new()
            .name("jq".to_string())
            .stack_size(STACK)
            .spawn(move || {
                let filter = match compile(&code) {
                    Ok(filter) => filter,
                    Err(error) => {
                        let _ = compiled.send(Err(error));
                        return;
                    }
                };
                let _ = compiled.send(Ok(()));
                for job in queue {
                    let _ = job.answer.send(run(&filter, &job.input, job.pretty));
                }
            })
            .map_err(|err| CliError::general(format!("cannot start --jq: {err}")))?;
        ready.recv().map_err(|_| stopped())??;
        Ok(Jq { jobs })
    }

    /// The filter's output for the JSON text `input`: one line per value, strings without
    /// quotes, other values as JSON (indented when `pretty`).
    pub async fn apply(&self, input: Vec<u8>, pretty: bool) -> Result<Vec<u8>> {
        let (answer, output) = oneshot::channel();
        self.jobs
            .send(Job {
                input,
                pretty,
                answer,
            })
            .map_err(|_| stopped())?;
        output.await.map_err(|_| stopped())?
    }
}

fn stopped() -> CliError {
    CliError::general("--jq stopped unexpectedly")
}

fn compile(code: &str) -> Result<Filter> {
    let formats = jaq_core::load::parse(FORMATS, |p| p.defs()).expect("the formats parse");
    let defs = jaq_core::defs()
        .chain(jaq_std::defs())
        .chain(jaq_json::defs())
        .chain(formats);
    let arena = Arena::default();
    let modules = Loader::new(defs)
        .load(&arena, File { code, path: () })
        .map_err(|errors| {
            let reasons: Vec<String> = errors
                .into_iter()
                .flat_map(|(_, error)| load_reasons(code, error))
                .collect();
            invalid(code, &reasons)
        })?;
    let funs = jaq_core::funs()
        .chain(jaq_std::funs())
        .chain(jaq_json::funs());
    Compiler::default()
        .with_funs(funs)
        .compile(modules)
        .map_err(|errors| {
            let reasons: Vec<String> = errors
                .into_iter()
                .flat_map(|(_, undefined)| undefined)
                .map(|(name, kind)| format!("{} `{name}` is not defined", kind.as_str()))
                .collect();
            invalid(code, &reasons)
        })
}

/// Why a filter did not load, each reason with the column it was found at.
fn load_reasons(code: &str, error: jaq_core::load::Error<&str>) -> Vec<String> {
    let column = |at: &str| jaq_core::load::span(code, at).start + 1;
    match error {
        jaq_core::load::Error::Io(errors) => errors
            .into_iter()
            .map(|(path, why)| format!("cannot load `{path}`: {why}"))
            .collect(),
        jaq_core::load::Error::Lex(errors) => errors
            .into_iter()
            .map(|(expected, at): lex::Error<&str>| {
                format!("expected {} at column {}", expected.as_str(), column(at))
            })
            .collect(),
        jaq_core::load::Error::Parse(errors) => errors
            .into_iter()
            .map(|(expected, at): parse::Error<&str>| {
                format!("expected {} at column {}", expected.as_str(), column(at))
            })
            .collect(),
    }
}

fn invalid(code: &str, reasons: &[String]) -> CliError {
    CliError::usage(format!("--jq `{code}`: {}", reasons.join("; ")))
        .with_hint("the filter is jq's language, e.g. --jq '.data[].slug'")
}

fn run(filter: &Filter, input: &[u8], pretty: bool) -> Result<Vec<u8>> {
    // jaq reads and walks values recursively: nesting is bounded before it reads any.
    if text_depth(input) > MAX_DEPTH {
        return Err(CliError::general(format!(
            "--jq: the answer nests deeper than {MAX_DEPTH} levels"
        )));
    }
    let input = jaq_json::read::parse_single(input).map_err(|err| {
        CliError::general(format!(
            "--jq needs a JSON answer, and this one is not: {err}"
        ))
    })?;
    let pp = Pp {
        indent: pretty.then(|| "  ".to_string()),
        sep_space: pretty,
        ..Pp::default()
    };
    let ctx = Ctx::<Data>::new(&filter.lut, Vars::new([]));
    let mut out = Vec::new();
    for value in filter.id.run((ctx, input)).map(unwrap_valr) {
        let value = value.map_err(|err| CliError::general(format!("--jq: {err}")))?;
        match &value {
            Val::TStr(text) => out.extend_from_slice(text),
            other => jaq_json::write::write(&mut out, &pp, 0, other)?,
        }
        out.push(b'\n');
        if out.len() > MAX_OUTPUT {
            return Err(CliError::general(format!(
                "--jq wrote more than {} MiB for one answer; stopped",
                MAX_OUTPUT / (1024 * 1024)
            )));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output(code: &str, input: &str) -> Result<String> {
        let filter = compile(code)?;
        run(&filter, input.as_bytes(), false).map(|out| String::from_utf8(out).unwrap())
    }

    #[test]
    fn strings_print_raw_and_other_values_as_compact_json() {
        let page = r#"{"data":[{"slug":"a","n":1},{"slug":"b","n":2.5}],"next_cursor":null}"#;
        assert_eq!(output(".data[].slug", page).unwrap(), "a\nb\n");
        assert_eq!(
            output(".data[0]", page).unwrap(),
            "{\"slug\":\"a\",\"n\":1}\n"
        );
        assert_eq!(output("[.data[].n] | add", page).unwrap(), "3.5\n");
        assert_eq!(output(".next_cursor", page).unwrap(), "null\n");
        let filter = compile(".data[0]").unwrap();
        let pretty = run(&filter, page.as_bytes(), true).unwrap();
        assert_eq!(
            String::from_utf8(pretty).unwrap(),
            "{\n  \"slug\": \"a\",\n  \"n\": 1\n}\n"
        );
    }

    #[test]
    fn csv_and_tsv_rows() {
        let row = r#"[1, "a\"b", null, true, "t\tab\\"]"#;
        assert_eq!(
            output("@csv", row).unwrap(),
            "1,\"a\"\"b\",,true,\"t\tab\\\"\n"
        );
        assert_eq!(
            output("@tsv", row).unwrap(),
            "1\ta\"b\t\ttrue\tt\\tab\\\\\n"
        );
        assert!(output("@csv", r#"[{"a":1}]"#).is_err());
    }

    #[test]
    fn bad_filters_are_usage_errors_and_bad_input_a_general_one() {
        for code in [".data[", "nosuchfilter", "$undefined", ".a |"] {
            let err = compile(code).err().unwrap();
            assert_eq!(err.kind, crate::error::ExitKind::Usage, "{code}");
            assert!(err.message.starts_with("--jq `"), "{}", err.message);
        }
        let err = output(".", "not json").unwrap_err();
        assert!(err.message.contains("not"), "{}", err.message);
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(output(".", &deep).is_err());
        assert!(
            output("error(\"boom\")", "{}")
                .unwrap_err()
                .message
                .contains("boom")
        );
    }

    #[tokio::test]
    async fn the_filter_runs_on_its_thread() {
        let jq = Jq::compile(".a").unwrap();
        assert_eq!(
            jq.apply(br#"{"a":"x"}"#.to_vec(), false).await.unwrap(),
            b"x\n"
        );
        assert_eq!(
            jq.apply(br#"{"a":[1]}"#.to_vec(), false).await.unwrap(),
            b"[1]\n"
        );
        assert!(Jq::compile(".[").is_err());
    }
}
