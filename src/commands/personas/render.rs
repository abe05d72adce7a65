//! How a persona reads on a terminal: name line, the four layers, Big Five as bars, and the
//! id, slug, version and run figures.

use serde_json::Value;

use crate::commands::format::{text, thousands, usd};
use crate::output::Output;

/// The readable summary of a persona.
pub fn summary(output: &Output, persona: &Value) -> String {
    let surface = &persona["surface"];
    let name = surface["name"].as_str().unwrap_or("(unnamed)");
    let mut title = output.paint(name, "1");
    if let Some(age) = surface["age"].as_u64() {
        title.push_str(&format!(", {age}"));
    }
    if let Some(occupation) = surface["occupation"].as_str() {
        title.push_str(&format!(" — {occupation}"));
    }
    if let Some(place) = surface["place"].as_str() {
        title.push_str(&format!(" ({place})"));
    }
    let mut lines = vec![title];
    let mut field = |label: &str, value: Option<&str>| {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            lines.push(format!(
                "  {}  {value}",
                output.paint(&format!("{label:<9}"), "2")
            ));
        }
    };
    field("archetype", persona["self"]["archetype"].as_str());
    field("voice", persona["mask"]["voice"]["register"].as_str());
    field("bio", persona["mask"]["public_bio"].as_str());
    field("desire", persona["soul"]["core_desire"].as_str());
    field("fear", persona["soul"]["core_fear"].as_str());
    field("wound", persona["soul"]["wound"].as_str());
    if let Some(big_five) = persona["self"]["big_five"].as_object() {
        lines.push(format!("  {}", output.paint("big five ", "2")));
        for (trait_name, value) in big_five {
            let value = value.as_f64().unwrap_or(0.0);
            lines.push(format!("    {trait_name} {} {value:.2}", bar(value)));
        }
    }
    lines.push(String::new());
    lines.push(format!(
        "  id {}  slug {}  version {}  {}  {}",
        text(&persona["id"]),
        text(&persona["slug"]),
        text(&persona["version"]),
        text(&persona["visibility"]),
        text(&persona["language"]),
    ));
    let run = &persona["run"];
    if run.is_object() {
        lines.push(format!(
            "  run {}  {} tokens  {}",
            text(&run["id"]),
            thousands(run["tokens"].as_u64().unwrap_or(0)),
            usd(run["cost_usd"].as_f64().unwrap_or(0.0)),
        ));
    }
    if let Some(archived) = persona["archived_at"].as_str() {
        lines.push(format!("  archived {archived}"));
    }
    lines.join("\n")
}

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
