//! The offline moderation policy: a phrase lexicon per OpenAI moderation category. It blocks
//! persona intents that ask for the worst of it, and answers `/v1/openai/moderations`.
//! Keyword matching only: it catches what it lists and nothing else ("partial", as §7 says).

/// OpenAI's moderation categories, each with the phrases (lowercase) that flag it.
pub const CATEGORIES: [(&str, &[&str]); 13] = [
    ("harassment", &["worthless idiot", "nobody wants you"]),
    (
        "harassment/threatening",
        &[
            "i will kill you",
            "i'll kill you",
            "you will die",
            "i will hurt you",
        ],
    ),
    ("hate", &["subhuman", "ethnic cleansing", "inferior race"]),
    ("hate/threatening", &["exterminate them all"]),
    (
        "illicit",
        &["buy stolen", "launder money", "counterfeit money"],
    ),
    (
        "illicit/violent",
        &[
            "terrorist recruiter",
            "bomb-making",
            "build a bomb",
            "make a bomb",
        ],
    ),
    ("self-harm", &["self-harm", "hurt myself", "suicide"]),
    ("self-harm/intent", &["kill myself", "end my life"]),
    ("self-harm/instructions", &["how to kill myself"]),
    ("sexual", &["explicit sex"]),
    (
        "sexual/minors",
        &["child sexual", "sexualized minor", "sexualised minor"],
    ),
    ("violence", &["murder", "stab him", "shoot him", "torture"]),
    ("violence/graphic", &["gore", "dismember"]),
];

/// Categories a persona may never be asked for: an intent in them is refused.
const BLOCKING: [&str; 2] = ["sexual/minors", "illicit/violent"];

/// The categories `text` falls in, each with the phrase that put it there.
pub fn flags(text: &str) -> Vec<(&'static str, &'static str)> {
    let lowered = text.to_lowercase();
    CATEGORIES
        .iter()
        .filter_map(|(category, phrases)| {
            phrases
                .iter()
                .find(|phrase| lowered.contains(*phrase))
                .map(|phrase| (*category, *phrase))
        })
        .collect()
}

/// The phrase that makes an intent one a persona may not be made from, if any.
pub fn blocked_intent(intent: &str) -> Option<&'static str> {
    flags(intent)
        .into_iter()
        .find(|(category, _)| BLOCKING.contains(category))
        .map(|(_, phrase)| phrase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_flag_their_categories_and_only_the_worst_block_intents() {
        assert!(flags("A kind old bookseller in Istanbul").is_empty());
        let threat = flags("I will kill you, I swear");
        assert_eq!(threat, [("harassment/threatening", "i will kill you")]);
        assert_eq!(
            blocked_intent("a terrorist recruiter in a port town"),
            Some("terrorist recruiter")
        );
        assert_eq!(
            blocked_intent("a retired detective who solved a murder"),
            None
        );
    }
}
