//! How a persona reads on a terminal: name line, the four layers, Big Five as bars, and the
//! id, slug, version and run figures.

use serde_json::Value;

use crate::commands::format::{or_dash, thousands, usd};
use crate::model::{PersonaSummary, view};
use crate::output::{Output, WordWrap};

/// The readable summary of a persona; on a terminal, each line wrapped at word boundaries to its
/// width, a field's further lines under the start of its value.
pub fn summary(output: &Output, persona: &Value) -> String {
    let wrap = |text: String, indent: usize| match output.stdout_width() {
        Some(width) => WordWrap::new(width, 0, &" ".repeat(indent)).wrap(&text),
        None => text,
    };
    let persona: PersonaSummary = view(persona);
    let surface = persona.surface.unwrap_or_default();
    let name = surface.name.as_deref().unwrap_or("(unnamed)");
    let mut title = output.paint(name, "1");
    if let Some(age) = surface.age {
        title.push_str(&format!(", {age}"));
    }
    if let Some(occupation) = &surface.occupation {
        title.push_str(&format!(" — {occupation}"));
    }
    if let Some(place) = &surface.place {
        title.push_str(&format!(" ({place})"));
    }
    let mut lines = vec![wrap(title, 2)];
    let mut field = |label: &str, value: Option<&str>| {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            let label = output.paint(&format!("{label:<9}"), "2");
            lines.push(wrap(format!("  {label}  {value}"), FIELD_INDENT));
        }
    };
    let self_layer = persona.self_layer.unwrap_or_default();
    let mask = persona.mask.unwrap_or_default();
    let soul = persona.soul.unwrap_or_default();
    field("archetype", self_layer.archetype.as_deref());
    field(
        "voice",
        mask.voice
            .as_ref()
            .and_then(|voice| voice.register.as_deref()),
    );
    field("bio", mask.public_bio.as_deref());
    field("desire", soul.core_desire.as_deref());
    field("fear", soul.core_fear.as_deref());
    field("wound", soul.wound.as_deref());
    if let Some(big_five) = &self_layer.big_five {
        lines.push(format!("  {}", output.paint("big five ", "2")));
        for (trait_name, value) in big_five {
            let value = value.as_f64().unwrap_or(0.0);
            lines.push(format!("    {trait_name} {} {value:.2}", bar(value)));
        }
    }
    lines.push(String::new());
    let figures = format!(
        "  id {}  slug {}  version {}  {}  {}",
        or_dash(persona.id),
        or_dash(persona.slug),
        or_dash(persona.version),
        or_dash(persona.visibility),
        or_dash(persona.language),
    );
    lines.push(wrap(figures, 2));
    if let Some(run) = persona.run {
        let run = format!(
            "  run {}  {} tokens  {}",
            or_dash(run.id),
            thousands(run.tokens.unwrap_or(0)),
            usd(run.cost_usd.unwrap_or(0.0)),
        );
        lines.push(wrap(run, 2));
    }
    if let Some(archived) = persona.archived_at {
        lines.push(format!("  archived {archived}"));
    }
    lines.join("\n")
}

/// Where a field's value starts: two spaces, the label in nine columns, two spaces.
const FIELD_INDENT: usize = 13;

/// `▇▇▇▇▇▇▇▇░░` for 0.8.
fn bar(value: f64) -> String {
    let filled = (value.clamp(0.0, 1.0) * 10.0).round() as usize;
    format!("{}{}", "█".repeat(filled), "░".repeat(10 - filled))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_five_bars_have_ten_cells() {
        assert_eq!(bar(0.82), "████████░░");
        assert_eq!(bar(1.7), "██████████");
    }
}
