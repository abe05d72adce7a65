//! English grammar the offline engine and the offline chat share: indefinite articles, lists,
//! and a persona's third-person text ("to pour her whole heart") said in the first person.

/// "a harbor pilot", "an old sailor", "an IT consultant", "a university lecturer".
pub fn with_article(phrase: &str) -> String {
    format!("{} {phrase}", indefinite_article(phrase))
}

fn indefinite_article(phrase: &str) -> &'static str {
    let first = phrase
        .split(|c: char| !c.is_alphanumeric())
        .find(|word| !word.is_empty())
        .unwrap_or_default();
    let lower = first.to_lowercase();
    let silent_h = ["hour", "honest", "honour", "honor", "heir"];
    let sounds_like_you = [
        "uni", "use", "usu", "uti", "ure", "eu", "ewe", "one", "once",
    ];
    let spelled_out = first.chars().count() > 1 && first.chars().all(|c| c.is_ascii_uppercase());
    let vowel_sound = if spelled_out {
        first.starts_with(['A', 'E', 'F', 'H', 'I', 'L', 'M', 'N', 'O', 'R', 'S', 'X'])
    } else if silent_h.iter().any(|word| lower.starts_with(word)) {
        true
    } else if sounds_like_you.iter().any(|start| lower.starts_with(start)) {
        false
    } else {
        lower.starts_with(['a', 'e', 'i', 'o', 'u'])
    };
    if vowel_sound { "an" } else { "a" }
}

/// "shy", "shy and kind", "shy, kind and precise".
pub fn join_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [only] => (*only).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// `text` about the persona (she, he or they) as the persona says it: "to keep everyone in
/// her care safe" becomes "to keep everyone in my care safe", "than they are loved back"
/// "than I am loved back". Every third-person pronoun is taken to mean the persona.
pub fn first_person(text: &str) -> String {
    let pieces = pieces(text);
    let mut spoken = String::with_capacity(text.len());
    let mut after_subject = false;
    for (index, piece) in pieces.iter().enumerate() {
        if !piece.is_word {
            spoken.push_str(piece.text);
            continue;
        }
        let lower = piece.text.to_lowercase();
        let next = pieces.get(index + 1);
        let ends_phrase = next.is_none_or(|gap| gap.text.contains([',', '.', ';', ':', '!', '?']));
        let next_word = pieces[index + 1..]
            .iter()
            .find(|piece| piece.is_word)
            .map(|piece| piece.text.to_lowercase());
        let object = ends_phrase
            || next_word
                .as_deref()
                .is_none_or(|word| OBJECT_FOLLOWERS.split_whitespace().any(|w| w == word));
        let replacement = match lower.as_str() {
            "they" | "she" | "he" => Some("I"),
            "they're" | "she's" | "he's" => {
                Some(if matches!(next_word.as_deref(), Some("been" | "got")) {
                    "I've"
                } else {
                    "I'm"
                })
            }
            "they've" => Some("I've"),
            "they'd" | "she'd" | "he'd" => Some("I'd"),
            "they'll" | "she'll" | "he'll" => Some("I'll"),
            "them" | "him" => Some("me"),
            "her" if object => Some("me"),
            "his" if object => Some("mine"),
            "their" | "her" | "his" => Some("my"),
            "theirs" | "hers" => Some("mine"),
            "themselves" | "themself" | "himself" | "herself" => Some("myself"),
            verb if after_subject => agreeing_verb(verb),
            _ => None,
        };
        after_subject = matches!(lower.as_str(), "they" | "she" | "he");
        match replacement {
            Some(word) if piece.text.starts_with(char::is_uppercase) => {
                spoken.push_str(&capitalized(word));
            }
            Some(word) => spoken.push_str(word),
            None => spoken.push_str(piece.text),
        }
    }
    spoken
}

/// Words after which "her" is an object ("near her and ..."), not a possessive ("her care").
const OBJECT_FOLLOWERS: &str = "\
    and or but nor yet so to for with in at on from by as than into about out up down back \
    again away off over safe alone the a an this that these those who which when where if \
    because too very more most once ever still";

/// The first-person form of a verb that followed "they", "she" or "he".
fn agreeing_verb(verb: &str) -> Option<&'static str> {
    Some(match verb {
        "are" | "is" => "am",
        "were" => "was",
        "has" => "have",
        "does" => "do",
        "doesn't" => "don't",
        "isn't" | "aren't" => "am not",
        "weren't" => "wasn't",
        "hasn't" => "haven't",
        _ => return None,
    })
}

/// The text with its first letter in upper case: "retired teacher" gives "Retired teacher".
pub fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A run of letters (with inner apostrophes) or a run of anything else.
struct Piece<'a> {
    text: &'a str,
    is_word: bool,
}

fn pieces(text: &str) -> Vec<Piece<'_>> {
    let is_letter = |c: char| c.is_alphabetic() || c == '\'' || c == '’';
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut in_word = None;
    for (at, c) in text.char_indices() {
        let letter = is_letter(c);
        if in_word.is_some_and(|word| word != letter) {
            pieces.push(Piece {
                text: &text[start..at],
                is_word: in_word == Some(true),
            });
            start = at;
        }
        in_word = Some(letter);
    }
    if start < text.len() {
        pieces.push(Piece {
            text: &text[start..],
            is_word: in_word == Some(true),
        });
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn articles_follow_the_sound() {
        for (phrase, expected) in [
            ("harbor pilot", "a harbor pilot"),
            ("old sailor", "an old sailor"),
            ("IT consultant", "an IT consultant"),
            ("UN envoy", "a UN envoy"),
            ("university lecturer", "a university lecturer"),
            ("honest broker", "an honest broker"),
            ("ex-lighthouse keeper", "an ex-lighthouse keeper"),
            ("Retired teacher", "a Retired teacher"),
        ] {
            assert_eq!(with_article(phrase), expected);
        }
        assert_eq!(join_list(&["shy"]), "shy");
        assert_eq!(join_list(&["shy", "kind"]), "shy and kind");
        assert_eq!(
            join_list(&["shy", "kind", "precise"]),
            "shy, kind and precise"
        );
    }

    #[test]
    fn third_person_text_is_said_in_the_first_person() {
        for (text, expected) in [
            (
                "To pour her whole heart into nets, and be loved for it",
                "To pour my whole heart into nets, and be loved for it",
            ),
            (
                "Loving someone more than she is loved back",
                "Loving someone more than I am loved back",
            ),
            (
                "Loving someone more than they are loved back",
                "Loving someone more than I am loved back",
            ),
            (
                "To find the good in everyone who comes near her",
                "To find the good in everyone who comes near me",
            ),
            (
                "That his best work is already behind him",
                "That my best work is already behind me",
            ),
            (
                "Discovering that the world is crueller than he has let himself believe",
                "Discovering that the world is crueller than I have let myself believe",
            ),
            (
                "To leave behind one work that is entirely, unmistakably hers",
                "To leave behind one work that is entirely, unmistakably mine",
            ),
            (
                "Their first real work was dismissed.",
                "My first real work was dismissed.",
            ),
            (
                "That the truth was in plain sight and she was too proud to see it",
                "That the truth was in plain sight and I was too proud to see it",
            ),
            (
                "To keep everyone in their care safe, fed and seen",
                "To keep everyone in my care safe, fed and seen",
            ),
        ] {
            assert_eq!(first_person(text), expected);
        }
    }
}
