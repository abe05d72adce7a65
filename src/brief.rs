//! Parses a persona brief: a Markdown description of the character (the intent), optionally
//! preceded by YAML front matter between `---` lines that sets language, visibility, seed, etc.,
//! and records in that front matter the persona a folder's brief was made into.

use std::fmt;

use serde_json::{Map, Value};
use serde_norway::Value as YamlValue;

use crate::model::{CreatePersona, Visibility};

/// The front-matter keys a brief may set, in the order error messages list them.
const ALLOWED_KEYS: [&str; 8] = [
    "language",
    "visibility",
    "pipeline",
    "seed",
    "budget_usd",
    "slug",
    "custom_fields",
    "persona",
];

/// The front-matter key that records the persona made from the brief.
const PERSONA_KEY: &str = "persona";

/// A parsed brief: the character description plus the options set in its front matter.
#[derive(Debug, Clone, PartialEq)]
pub struct Brief {
    pub intent: String,
    pub language: Option<String>,
    pub visibility: Option<String>,
    pub pipeline: Option<String>,
    pub seed: Option<u64>,
    pub budget_usd: Option<f64>,
    pub slug: Option<String>,
    pub custom_fields: Option<Map<String, Value>>,
    /// The persona already made from this brief (`persona: psn_...`), recorded by
    /// `personas apply`; `personas create` does not read it.
    pub persona: Option<String>,
}

impl Brief {
    /// The longest intent the API accepts, in Unicode characters.
    pub const MAX_INTENT_CHARS: usize = 4000;

    /// A brief of `intent` alone, with no options set.
    pub fn new(intent: impl Into<String>) -> Brief {
        Brief {
            intent: intent.into(),
            language: None,
            visibility: None,
            pipeline: None,
            seed: None,
            budget_usd: None,
            slug: None,
            custom_fields: None,
            persona: None,
        }
    }

    /// The create request of this brief as written.
    pub fn create_request(&self) -> CreatePersona {
        CreatePersona {
            intent: self.intent.clone(),
            language: self.language.clone(),
            visibility: self.visibility.clone(),
            pipeline: self.pipeline.clone(),
            seed: self.seed,
            budget_usd: self.budget_usd,
            custom_fields: self.custom_fields.clone(),
            slug: self.slug.clone(),
        }
    }
}

/// Whether a Markdown file found in a folder is a brief rather than other Markdown (a README):
/// it opens with front matter that is empty or sets at least one key of a brief.
pub fn looks_like_brief(text: &str) -> bool {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Ok((Some(front_matter), _)) = split_front_matter(text) else {
        return false;
    };
    front_matter.trim().is_empty()
        || front_matter.lines().any(|line| {
            ALLOWED_KEYS.iter().any(|key| {
                line.strip_prefix(key)
                    .is_some_and(|rest| rest.trim_start_matches([' ', '\t']).starts_with(':'))
            })
        })
}

/// The brief's text with `persona: <id>` recorded in its front matter (replacing a `persona`
/// line already there, or opening a front matter when it has none); the rest is kept byte for
/// byte. `id` is a persona id, which needs no quoting.
pub fn record_persona(text: &str, id: &str) -> String {
    let (bom, body) = match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", text),
    };
    let line = |ending: &str| format!("{PERSONA_KEY}: {id}{ending}");
    let Ok((Some(front_matter), _)) = split_front_matter(body) else {
        return format!("{bom}---\n{}---\n{body}", line("\n"));
    };
    let opening = body.split_inclusive('\n').next().unwrap_or_default();
    let ending = if opening.ends_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let start = opening.len();
    let mut kept = String::with_capacity(front_matter.len());
    for existing in front_matter.split_inclusive('\n') {
        let is_persona = existing
            .strip_prefix(PERSONA_KEY)
            .is_some_and(|rest| rest.trim_start_matches([' ', '\t']).starts_with(':'));
        if !is_persona {
            kept.push_str(existing);
        }
    }
    format!(
        "{bom}{opening}{}{kept}{}",
        line(ending),
        &body[start + front_matter.len()..]
    )
}

/// Whether `id` has the form of a persona id: `psn_` then letters and digits.
fn is_persona_id(id: &str) -> bool {
    id.strip_prefix("psn_").is_some_and(|rest| {
        !rest.is_empty() && rest.len() <= 64 && rest.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

/// What is wrong with a brief and how to fix it; `line` is 1-based within the brief file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BriefError {
    pub message: String,
    pub line: Option<usize>,
}

impl BriefError {
    fn new(message: impl Into<String>, line: Option<usize>) -> Self {
        BriefError {
            message: message.into(),
            line,
        }
    }
}

impl fmt::Display for BriefError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.message)
    }
}

impl std::error::Error for BriefError {}

/// Parses a brief. Front matter is recognised only when the first line is `---` (after an
/// optional UTF-8 BOM; CRLF line endings are fine) and must be closed by another `---` line.
pub fn parse_brief(text: &str) -> Result<Brief, BriefError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (front_matter, body) = split_front_matter(text)?;

    let intent = body.trim();
    if intent.is_empty() {
        let message = if front_matter.is_some() {
            "the brief has no text after its front matter: write the character description below the closing ---"
        } else {
            "the brief is empty: write a description of the character"
        };
        return Err(BriefError::new(message, None));
    }
    let intent_chars = intent.chars().count();
    if intent_chars > Brief::MAX_INTENT_CHARS {
        return Err(BriefError::new(
            format!(
                "the brief's description is {intent_chars} characters long; the limit is {}: shorten it",
                Brief::MAX_INTENT_CHARS
            ),
            None,
        ));
    }

    let mut brief = Brief::new(intent);
    if let Some(front_matter) = front_matter {
        apply_front_matter(&mut brief, front_matter)?;
    }
    Ok(brief)
}

/// Returns the front-matter text (file lines 2.. up to the closing `---`) and the body.
fn split_front_matter(text: &str) -> Result<(Option<&str>, &str), BriefError> {
    let mut lines = text.split_inclusive('\n');
    let Some(first_line) = lines.next() else {
        return Ok((None, text));
    };
    if !is_delimiter(first_line) {
        return Ok((None, text));
    }
    let front_start = first_line.len();
    let mut offset = front_start;
    for line in lines {
        if is_delimiter(line) {
            return Ok((
                Some(&text[front_start..offset]),
                &text[offset + line.len()..],
            ));
        }
        offset += line.len();
    }
    Err(BriefError::new(
        "the front matter opened by --- on line 1 is never closed: add a line containing only --- after the last key, then write the description below it",
        Some(1),
    ))
}

fn is_delimiter(line: &str) -> bool {
    line.trim_end() == "---"
}

/// The front matter starts on line 2 of the file.
const FRONT_MATTER_FIRST_LINE: usize = 2;

struct FrontMatter<'a> {
    text: &'a str,
}

impl FrontMatter<'_> {
    /// The file line on which the top-level `key:` is written, if it can be found.
    fn line_of_key(&self, key: &str) -> Option<usize> {
        let quoted_double = format!("\"{key}\"");
        let quoted_single = format!("'{key}'");
        self.text
            .lines()
            .position(|line| {
                [key, quoted_double.as_str(), quoted_single.as_str()]
                    .iter()
                    .any(|spelling| {
                        line.strip_prefix(spelling).is_some_and(|rest| {
                            rest.trim_start_matches([' ', '\t']).starts_with(':')
                        })
                    })
            })
            .map(|index| index + FRONT_MATTER_FIRST_LINE)
    }

    fn error(&self, key: &str, problem: &str) -> BriefError {
        let line = self.line_of_key(key);
        let location = line
            .map(|line| format!(" on line {line}"))
            .unwrap_or_default();
        BriefError::new(format!("`{key}`{location} {problem}"), line)
    }
}

fn apply_front_matter(brief: &mut Brief, text: &str) -> Result<(), BriefError> {
    let front_matter = FrontMatter { text };
    if let Some(line) = crate::persona_file::yaml_too_deep(text) {
        let line = line + FRONT_MATTER_FIRST_LINE - 1;
        return Err(BriefError::new(
            format!(
                "the front matter nests mappings and sequences deeper than {} levels on line \
                 {line}, the most it may",
                crate::persona_file::MAX_YAML_DEPTH
            ),
            Some(line),
        ));
    }
    let parsed: YamlValue = serde_norway::from_str(text).map_err(|error| {
        let (problem, location) = crate::persona_file::yaml_error_parts(&error);
        let (line, position) = match location {
            Some((line, column)) => {
                let line = line + FRONT_MATTER_FIRST_LINE - 1;
                (Some(line), format!(" on line {line}, column {column}"))
            }
            None => (None, String::new()),
        };
        BriefError::new(
            format!("the front matter is not valid YAML{position}: {problem}; write one `key: value` per line between the --- lines"),
            line,
        )
    })?;
    let mapping = match parsed {
        YamlValue::Null => return Ok(()),
        YamlValue::Mapping(mapping) => mapping,
        other => {
            return Err(BriefError::new(
                format!(
                    "the front matter must be `key: value` lines, but it is {}",
                    describe_yaml(&other)
                ),
                Some(FRONT_MATTER_FIRST_LINE),
            ));
        }
    };

    for (key, value) in mapping {
        let key_name = match &key {
            YamlValue::String(name) => name.clone(),
            YamlValue::Number(number) => number.to_string(),
            YamlValue::Bool(flag) => flag.to_string(),
            other => describe_yaml(other),
        };
        if value.is_null() && ALLOWED_KEYS.contains(&key_name.as_str()) {
            continue;
        }
        match key_name.as_str() {
            "language" => brief.language = Some(text_value(&front_matter, "language", value)?),
            "visibility" => {
                let visibility = text_value(&front_matter, "visibility", value)?;
                if visibility.parse::<Visibility>().is_err() {
                    return Err(front_matter.error(
                        "visibility",
                        &format!("must be private, workspace or public (found `{visibility}`)"),
                    ));
                }
                brief.visibility = Some(visibility);
            }
            "pipeline" => brief.pipeline = Some(text_value(&front_matter, "pipeline", value)?),
            "slug" => brief.slug = Some(text_value(&front_matter, "slug", value)?),
            PERSONA_KEY => {
                let id = text_value(&front_matter, PERSONA_KEY, value)?;
                if !is_persona_id(&id) {
                    return Err(front_matter.error(
                        PERSONA_KEY,
                        &format!(
                            "must be the id of the persona made from this brief, e.g. `persona: psn_3kP9aLwX2v` (found `{id}`)"
                        ),
                    ));
                }
                brief.persona = Some(id);
            }
            "seed" => {
                let seed = value.as_u64().ok_or_else(|| {
                    front_matter.error("seed", "must be a non-negative integer, e.g. `seed: 42`")
                })?;
                brief.seed = Some(seed);
            }
            "budget_usd" => {
                let budget = value
                    .as_f64()
                    .filter(|budget| budget.is_finite() && *budget > 0.0)
                    .ok_or_else(|| {
                        front_matter.error(
                            "budget_usd",
                            "must be a positive number of US dollars, e.g. `budget_usd: 0.5`",
                        )
                    })?;
                brief.budget_usd = Some(budget);
            }
            "custom_fields" => {
                let fields: Map<String, Value> =
                    serde_norway::from_value(value).map_err(|error| {
                        let (problem, _) = crate::persona_file::yaml_error_parts(&error);
                        front_matter.error(
                            "custom_fields",
                            &format!("must be a mapping of names to values, e.g. `custom_fields: {{hometown: Izmir}}` ({problem})"),
                        )
                    })?;
                brief.custom_fields = Some(fields);
            }
            unknown => {
                let line = front_matter.line_of_key(unknown);
                let location = line
                    .map(|line| format!(" on line {line}"))
                    .unwrap_or_default();
                return Err(BriefError::new(
                    format!(
                        "unknown key `{unknown}`{location}; allowed: {}",
                        ALLOWED_KEYS.join(", ")
                    ),
                    line,
                ));
            }
        }
    }
    Ok(())
}

fn text_value(
    front_matter: &FrontMatter<'_>,
    key: &str,
    value: YamlValue,
) -> Result<String, BriefError> {
    match value {
        YamlValue::String(text) if !text.trim().is_empty() => Ok(text),
        _ => Err(front_matter.error(
            key,
            "must be non-empty text (put it in quotes if YAML reads it as a number or boolean)",
        )),
    }
}

fn describe_yaml(value: &YamlValue) -> String {
    match value {
        YamlValue::Null => "null".to_string(),
        YamlValue::Bool(_) => "a boolean".to_string(),
        YamlValue::Number(_) => "a number".to_string(),
        YamlValue::String(_) => "a single text value".to_string(),
        YamlValue::Sequence(_) => "a list".to_string(),
        YamlValue::Mapping(_) => "a mapping".to_string(),
        YamlValue::Tagged(_) => "a tagged value".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn error_of(text: &str) -> BriefError {
        parse_brief(text).expect_err("the brief should be rejected")
    }

    #[test]
    fn parses_the_documented_example() {
        let brief = parse_brief(
            "---\nlanguage: tr\nvisibility: workspace\nseed: 42\n---\n35-year-old, lonely, intellectual ex-academic bookseller in Istanbul.\n",
        )
        .unwrap();
        assert_eq!(
            brief,
            Brief {
                intent: "35-year-old, lonely, intellectual ex-academic bookseller in Istanbul."
                    .to_string(),
                language: Some("tr".to_string()),
                visibility: Some("workspace".to_string()),
                pipeline: None,
                seed: Some(42),
                budget_usd: None,
                slug: None,
                custom_fields: None,
                persona: None,
            }
        );
    }

    #[test]
    fn parses_every_key_with_bom_and_crlf() {
        let text = "\u{feff}---\r\nlanguage: no\r\nvisibility: public\r\npipeline: deep\r\nseed: 7\r\nbudget_usd: 1.25\r\nslug: mert-k\r\ncustom_fields:\r\n  hometown: İzmir\r\n  cats: 2\r\n---\r\n\r\n  A retired ferry captain.\r\n\r\nLoves tea.\r\n";
        let brief = parse_brief(text).unwrap();
        assert_eq!(brief.intent, "A retired ferry captain.\r\n\r\nLoves tea.");
        assert_eq!(brief.language.as_deref(), Some("no"));
        assert_eq!(brief.visibility.as_deref(), Some("public"));
        assert_eq!(brief.pipeline.as_deref(), Some("deep"));
        assert_eq!(brief.seed, Some(7));
        assert_eq!(brief.budget_usd, Some(1.25));
        assert_eq!(brief.slug.as_deref(), Some("mert-k"));
        assert_eq!(
            Value::Object(brief.custom_fields.unwrap()),
            json!({"hometown": "İzmir", "cats": 2})
        );
    }

    #[test]
    fn text_without_front_matter_is_all_intent() {
        let brief = parse_brief("  A shy violinist.\n\n---\nnot: front matter\n").unwrap();
        assert_eq!(brief.intent, "A shy violinist.\n\n---\nnot: front matter");
        assert_eq!(brief.language, None);
        assert_eq!(parse_brief("-- \nA poet.").unwrap().intent, "-- \nA poet.");
    }

    #[test]
    fn empty_front_matter_and_null_values_are_allowed() {
        assert_eq!(parse_brief("---\n---\nA poet.").unwrap().intent, "A poet.");
        let brief = parse_brief("---\n# just a comment\nseed:\nlanguage: ~\n---\nA poet.").unwrap();
        assert_eq!((brief.seed, brief.language), (None, None));
        assert_eq!(
            parse_brief("--- \nseed: 1\n---  \nA poet.").unwrap().seed,
            Some(1)
        );
    }

    #[test]
    fn rejects_an_empty_body() {
        let error = error_of("---\nlanguage: tr\n---\n \n\t\n");
        assert_eq!(
            error.message,
            "the brief has no text after its front matter: write the character description below the closing ---"
        );
        assert_eq!(
            error_of("  \n").message,
            "the brief is empty: write a description of the character"
        );
        assert_eq!(
            error_of("").message,
            "the brief is empty: write a description of the character"
        );
    }

    #[test]
    fn limits_the_intent_by_unicode_characters() {
        let at_limit = "ı".repeat(Brief::MAX_INTENT_CHARS);
        assert_eq!(parse_brief(&at_limit).unwrap().intent.chars().count(), 4000);
        let error = error_of(&format!("{at_limit}ş"));
        assert_eq!(
            error.message,
            "the brief's description is 4001 characters long; the limit is 4000: shorten it"
        );
    }

    #[test]
    fn rejects_unclosed_front_matter() {
        let error = error_of("---\nlanguage: tr\nA poet.\n");
        assert_eq!(error.line, Some(1));
        assert!(error.message.contains("never closed"), "{}", error.message);
    }

    #[test]
    fn names_an_unknown_key_with_its_line() {
        let error = error_of("---\nlangauge: tr\n---\nA poet.");
        assert_eq!(
            error.message,
            "unknown key `langauge` on line 2; allowed: language, visibility, pipeline, seed, budget_usd, slug, custom_fields, persona"
        );
        assert_eq!(error.line, Some(2));
        let error = error_of("\u{feff}---\r\nseed: 1\r\n\r\n\"colour\": red\r\n---\r\nA poet.");
        assert_eq!(error.line, Some(4));
        assert!(error.message.starts_with("unknown key `colour` on line 4;"));
    }

    #[test]
    fn reports_yaml_syntax_errors_at_file_lines() {
        let error = error_of("---\nlanguage: tr\nseed: [1, 2\n---\nA poet.");
        assert!(
            error
                .message
                .starts_with("the front matter is not valid YAML on line "),
            "{}",
            error.message
        );
        assert!(!error.message.contains(" at line "), "{}", error.message);
        let error = error_of("---\nlanguage: tr\nvisibility: a: b\n---\nA poet.");
        assert_eq!(error.line, Some(3), "{}", error.message);
        assert!(
            error.message.contains("on line 3, column 14"),
            "{}",
            error.message
        );
    }

    #[test]
    fn names_wrong_types() {
        let cases = [
            (
                "seed: -1",
                "`seed` on line 2 must be a non-negative integer, e.g. `seed: 42`",
            ),
            (
                "seed: 1.5",
                "`seed` on line 2 must be a non-negative integer, e.g. `seed: 42`",
            ),
            (
                "seed: \"42\"",
                "`seed` on line 2 must be a non-negative integer, e.g. `seed: 42`",
            ),
            (
                "budget_usd: -2",
                "`budget_usd` on line 2 must be a positive number of US dollars, e.g. `budget_usd: 0.5`",
            ),
            (
                "budget_usd: cheap",
                "`budget_usd` on line 2 must be a positive number of US dollars, e.g. `budget_usd: 0.5`",
            ),
            (
                "language: 12",
                "`language` on line 2 must be non-empty text (put it in quotes if YAML reads it as a number or boolean)",
            ),
            (
                "slug: [a]",
                "`slug` on line 2 must be non-empty text (put it in quotes if YAML reads it as a number or boolean)",
            ),
            (
                "visibility: team",
                "`visibility` on line 2 must be private, workspace or public (found `team`)",
            ),
        ];
        for (front_matter, expected) in cases {
            let error = error_of(&format!("---\n{front_matter}\n---\nA poet."));
            assert_eq!(error.message, expected);
            assert_eq!(error.line, Some(2));
        }
        let error = error_of("---\ncustom_fields: [1, 2]\n---\nA poet.");
        assert!(
            error
                .message
                .starts_with("`custom_fields` on line 2 must be a mapping"),
            "{}",
            error.message
        );
    }

    #[test]
    fn a_recorded_persona_is_read_and_checked() {
        let brief = parse_brief("---\npersona: psn_3kP9aLwX2v\n---\nA poet.").unwrap();
        assert_eq!(brief.persona.as_deref(), Some("psn_3kP9aLwX2v"));
        assert_eq!(brief.create_request().intent, "A poet.");
        let error = error_of("---\npersona: the-poet\n---\nA poet.");
        assert!(
            error
                .message
                .starts_with("`persona` on line 2 must be the id"),
            "{}",
            error.message
        );
    }

    #[test]
    fn recording_the_persona_keeps_the_rest_of_the_brief_byte_for_byte() {
        let cases = [
            ("A poet.\n", "---\npersona: psn_1\n---\nA poet.\n"),
            (
                "---\nlanguage: tr # Turkish\n---\nA poet.\n\n  Indented.",
                "---\npersona: psn_1\nlanguage: tr # Turkish\n---\nA poet.\n\n  Indented.",
            ),
            (
                "\u{feff}---\r\nseed: 7\r\npersona: psn_old\r\n---\r\nA poet.\r\n",
                "\u{feff}---\r\npersona: psn_1\r\nseed: 7\r\n---\r\nA poet.\r\n",
            ),
            ("---\n---\nA poet.", "---\npersona: psn_1\n---\nA poet."),
            // Front matter never closed is not front matter: a new one goes on top.
            ("---\nA poet.", "---\npersona: psn_1\n---\n---\nA poet."),
        ];
        for (text, expected) in cases {
            let recorded = record_persona(text, "psn_1");
            assert_eq!(recorded, expected, "{text:?}");
            if let Ok(brief) = parse_brief(&recorded) {
                assert_eq!(brief.persona.as_deref(), Some("psn_1"));
            }
        }
        let brief = parse_brief(&record_persona("---\nseed: 7\n---\nA poet.", "psn_1")).unwrap();
        assert_eq!((brief.seed, brief.intent.as_str()), (Some(7), "A poet."));
    }

    #[test]
    fn only_markdown_with_brief_front_matter_looks_like_a_brief() {
        for brief in [
            "---\nlanguage: tr\n---\nA poet.",
            "\u{feff}---\r\n---\r\nA poet.",
            "---\n# the seed\nseed : 4\n---\nA poet.",
            "---\npersona: psn_1\n---\nA poet.",
        ] {
            assert!(looks_like_brief(brief), "{brief:?}");
        }
        for other in [
            "# Read me\n\nNot a brief.",
            "---\ntitle: Docs page\nlayout: post\n---\nText.",
            "---\nlanguage: tr\nnever closed",
            "",
        ] {
            assert!(!looks_like_brief(other), "{other:?}");
        }
    }

    #[test]
    fn rejects_front_matter_that_is_not_a_mapping() {
        let error = error_of("---\n- language\n- tr\n---\nA poet.");
        assert_eq!(
            error.message,
            "the front matter must be `key: value` lines, but it is a list"
        );
        let error = error_of("---\njust words\n---\nA poet.");
        assert_eq!(
            error.message,
            "the front matter must be `key: value` lines, but it is a single text value"
        );
    }

    #[test]
    fn rejects_front_matter_nested_too_deep_before_parsing_it() {
        let deep = format!("[{}]", "[".repeat(100_000) + &"]".repeat(100_000));
        let error = error_of(&format!(
            "---\nlanguage: en\ncustom_fields:\n  deep: {deep}\n---\nA poet."
        ));
        assert_eq!(error.line, Some(4));
        assert!(
            error.message.contains("deeper than 127 levels on line 4"),
            "{}",
            error.message
        );
    }
}
