//! What the offline persona says: a reply's sentences, in the first person and in the voice its
//! register describes, chosen by what the message asks and a hash of the conversation.

use super::phrases::{
    ASKS_AGE, ASKS_FEAR, ASKS_WHERE, ASKS_WORK, BREAK_CHARACTER, FLAVOUR_WORDS, Flavour,
    GREETING_WORDS, OUT_OF_CHARACTER, POLITE_WORDS, TERSE_WORDS, TOPIC_STOPS, WHO_ARE_YOU, phrases,
    speaks_english,
};
use crate::server::chat::text::{non_blank, words};
use crate::server::chat::{ChatMessage, ChatTurn};
use crate::server::english::{capitalized, first_person, with_article};

/// The most words a topic phrase keeps.
const MAX_TOPIC_WORDS: usize = 5;

/// What a message asks of the persona, beyond what they want.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Asked {
    Who,
    Where,
    Age,
    Work,
    Fear,
    Other,
}

impl Asked {
    fn in_message(lowercase: &str) -> Asked {
        let asks = |phrases: &[&str]| phrases.iter().any(|phrase| lowercase.contains(phrase));
        if asks(WHO_ARE_YOU) {
            Asked::Who
        } else if asks(ASKS_WHERE) {
            Asked::Where
        } else if asks(ASKS_AGE) {
            Asked::Age
        } else if asks(ASKS_WORK) {
            Asked::Work
        } else if asks(ASKS_FEAR) {
            Asked::Fear
        } else {
            Asked::Other
        }
    }
}

/// The reply's text: a greeting or an opener (unless the voice is terse), who the persona is
/// (on the first turn, or when asked), the answer to where they live, how old they are or what
/// they do when asked, the core desire (brought to bear on what an English message asks
/// about), the core fear when asked and sometimes unasked, and up to two sentences the
/// register's words call for.
pub(super) fn speak(turn: &ChatTurn, hash: u64, tool_results: &[&ChatMessage]) -> String {
    let persona = turn.persona;
    let message = turn.message.to_lowercase();
    if BREAK_CHARACTER
        .iter()
        .any(|phrase| message.contains(phrase))
    {
        return OUT_OF_CHARACTER.to_string();
    }
    let language = persona.language.as_str();
    let phrases = phrases(language);
    let english = speaks_english(language);
    let name = non_blank(persona.surface_name()).unwrap_or("nobody in particular");
    let bio = persona.public_bio().unwrap_or_default();
    let occupation = non_blank(persona.surface_text("occupation"))
        .map(|occupation| spoken_occupation(occupation, language, bio));
    let place = non_blank(persona.surface_text("place"));
    let age = persona.surface_field("age").as_u64();
    let said = |field: &str| {
        non_blank(persona.soul_text(field)).map(|text| lower_first(&first_person(text)))
    };
    let (desire, fear) = (said("core_desire"), said("core_fear"));
    let asked = Asked::in_message(&message);
    let topic = (english && asked == Asked::Other)
        .then(|| english_topic(turn.message))
        .flatten();
    let fill = |template: &str| {
        template
            .replace("{name}", name)
            .replace("{occupation}", occupation.as_deref().unwrap_or_default())
            .replace("{place}", place.unwrap_or(phrases.home))
            .replace("{age}", &age.map(|age| age.to_string()).unwrap_or_default())
            .replace("{topic}", topic.as_deref().unwrap_or_default())
            .replace("{desire}", desire.as_deref().unwrap_or_default())
            .replace("{fear}", fear.as_deref().unwrap_or_default())
    };
    let (flavours, terse) = flavours(non_blank(persona.voice_register()).unwrap_or_default());
    let pick =
        |options: &[&'static str], shift: u32| options[(hash >> shift) as usize % options.len()];

    let greeted = words(&message)
        .first()
        .is_some_and(|word| GREETING_WORDS.contains(&word.as_str()));
    let first_turn = turn.earlier == 0
        && !turn
            .history
            .iter()
            .any(|message| message.role == "assistant");
    let mut sentences: Vec<String> = Vec::new();
    if !tool_results.is_empty() {
        let result: String = tool_results
            .iter()
            .map(|message| message.content.trim())
            .collect::<Vec<_>>()
            .join("; ")
            .chars()
            .take(200)
            .collect();
        sentences.push(pick(&phrases.openers, 8).to_string());
        sentences.push(
            phrases
                .tool_result
                .replace("{result}", result.trim_end_matches(['.', '!', '?', ' '])),
        );
    } else {
        if greeted {
            sentences.push(pick(&phrases.greetings, 0).to_string());
        } else if !terse {
            sentences.push(pick(&phrases.openers, 8).to_string());
        }
        let introduced = first_turn || asked == Asked::Who;
        if introduced {
            // Asked where they live, they say it in a sentence of its own.
            let place_told = place.filter(|_| asked != Asked::Where);
            let identity = match (&occupation, place_told) {
                (Some(_), Some(_)) => phrases.identity_full,
                (Some(_), None) => phrases.identity_work,
                _ => phrases.identity_bare,
            };
            sentences.push(fill(identity));
        }
        let answer = match asked {
            Asked::Where if place.is_some() => Some(phrases.lives),
            Asked::Where => Some(phrases.homeless),
            Asked::Age if age.is_some() => Some(phrases.age),
            Asked::Work if occupation.is_some() && !introduced => Some(phrases.work),
            _ => None,
        };
        sentences.extend(answer.map(fill));
        if desire.is_some() {
            let template = if greeted {
                phrases.greeting_desire
            } else if topic.is_some() && !phrases.desire_on_topic.is_empty() {
                pick(phrases.desire_on_topic, 16)
            } else {
                pick(&phrases.desire, 16)
            };
            sentences.push(fill(template));
        }
        let tells_fear = asked == Asked::Fear || (!terse && (hash >> 24) & 1 == 1);
        if fear.is_some() && tells_fear {
            sentences.push(fill(phrases.fear));
        }
    }
    sentences.extend(
        flavours
            .iter()
            .map(|flavour| fill(flavour.sentence(phrases))),
    );
    sentences
        .iter()
        .map(|sentence| capitalized(sentence))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The sentences the voice register calls for (two at most), and whether it is terse.
fn flavours(register: &str) -> (Vec<Flavour>, bool) {
    let listed = |list: &str, word: &str| list.split_whitespace().any(|listed| listed == word);
    let mut found: Vec<Flavour> = Vec::new();
    let mut terse = false;
    for word in words(register) {
        terse |= listed(TERSE_WORDS, &word);
        let flavour = FLAVOUR_WORDS
            .iter()
            .find(|(_, words)| listed(words, &word))
            .map(|&(flavour, _)| flavour);
        if let Some(flavour) = flavour.filter(|flavour| !found.contains(flavour)) {
            found.push(flavour);
        }
    }
    found.truncate(2);
    (found, terse)
}

/// The occupation as it reads after "I'm": "a bookseller and former academic" in English, with
/// the letters' case the public bio gives it ("a Breton lighthouse keeper"), lowercased when
/// the bio lacks it; German nouns keep their capital.
fn spoken_occupation(occupation: &str, language: &str, bio: &str) -> String {
    let in_a_sentence =
        |phrase: &str| as_in(phrase, bio).map_or_else(|| lower_first(phrase), str::to_owned);
    match language {
        "de" => occupation.to_owned(),
        _ if !speaks_english(language) => in_a_sentence(occupation),
        _ => {
            let phrase = occupation
                .replace(", former ", " and former ")
                .replace(", retired ", " and retired ")
                .replace(", ex-", " and ex-");
            with_article(&in_a_sentence(&phrase))
        }
    }
}

/// `phrase` where `text` has it, ASCII case aside, with the case `text` gives it.
fn as_in<'a>(phrase: &str, text: &'a str) -> Option<&'a str> {
    let (wanted, bytes) = (phrase.as_bytes(), text.as_bytes());
    let last_start = bytes.len().checked_sub(wanted.len())?;
    (0..=last_start)
        .find(|&at| bytes[at..at + wanted.len()].eq_ignore_ascii_case(wanted))
        .and_then(|at| text.get(at..at + wanted.len()))
}

/// What an English message asks about, as the persona says it back: after "about" ("tell me
/// about your rarest books" gives "my rarest books"), else "your ..." or "the ...", up to the
/// next punctuation or function word; none when it names nothing ("where do you live?").
fn english_topic(message: &str) -> Option<String> {
    let tokens: Vec<(&str, bool)> = message
        .split_whitespace()
        .filter_map(|raw| {
            let core = raw.trim_matches(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-'));
            let ends_phrase = raw.ends_with([',', '.', ';', ':', '!', '?', '"', ')']);
            (!core.is_empty()).then_some((core, ends_phrase))
        })
        .collect();
    let lower = |index: usize| tokens[index].0.to_lowercase();
    let stops = |word: &str| TOPIC_STOPS.split_whitespace().any(|stop| stop == word);
    let polite = |word: &str| POLITE_WORDS.split_whitespace().any(|polite| polite == word);
    let phrase_from = |start: usize, stop_at_function_words: bool| {
        let mut phrase: Vec<String> = Vec::new();
        for (index, &(word, ends_phrase)) in
            tokens.iter().enumerate().skip(start).take(MAX_TOPIC_WORDS)
        {
            let lowercase = word.to_lowercase();
            let function_word = stops(&lowercase);
            if polite(&lowercase) || (function_word && (stop_at_function_words || index == start)) {
                break;
            }
            phrase.push(said_back(word));
            if ends_phrase {
                break;
            }
        }
        phrase
    };
    let about = (0..tokens.len())
        .find(|&index| lower(index) == "about" && !tokens[index].1)
        .map(|index| phrase_from(index + 1, false));
    let determined = || {
        (0..tokens.len())
            .find(|&index| matches!(lower(index).as_str(), "your" | "the") && !tokens[index].1)
            .map(|index| phrase_from(index, true))
    };
    let vague = [
        "it",
        "this",
        "that",
        "something",
        "anything",
        "everything",
        "things",
    ];
    [about, determined()]
        .into_iter()
        .flatten()
        .find(|phrase| {
            !phrase.is_empty()
                && phrase.len() > usize::from(matches!(phrase[0].as_str(), "my" | "the"))
                && !(phrase.len() == 1 && vague.contains(&phrase[0].as_str()))
        })
        .map(|phrase| phrase.join(" "))
}

/// A word of the message as the persona says it back: "your" is "my", "me" is "you".
fn said_back(word: &str) -> String {
    let swapped = match word.to_lowercase().as_str() {
        "your" => "my",
        "yours" => "mine",
        "you" | "yourself" => "me",
        "my" | "our" => "your",
        "mine" | "ours" => "yours",
        "me" | "us" | "myself" | "i" | "we" => "you",
        "i'm" => "you're",
        _ => return word.to_owned(),
    };
    swapped.to_owned()
}

/// The text with its first letter lowercased, to continue a sentence, unless it opens with
/// "I" or an abbreviation ("IT consultant").
fn lower_first(text: &str) -> String {
    let first_word = text
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or_default();
    let keeps_capital = first_word == "I"
        || (first_word.chars().count() > 1 && first_word.chars().all(char::is_uppercase));
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if !keeps_capital => first.to_lowercase().chain(chars).collect(),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_are_noun_phrases_said_back() {
        for (message, topic) in [
            ("Tell me about your rarest books", Some("my rarest books")),
            (
                "What do you think about the city at night?",
                Some("the city at night"),
            ),
            ("How is your shop?", Some("my shop")),
            ("Tell me about yourself.", Some("me")),
            ("What is the weather like today?", Some("the weather")),
            ("Where do you live?", None),
            ("What about it?", None),
            ("Which poet do you love?", None),
            ("Is the", None),
            (
                "Tell me a long story about the fjord please",
                Some("the fjord"),
            ),
            ("Tell me about your boat, thanks!", Some("my boat")),
            ("What about the harbour?! Please", Some("the harbour")),
            ("Tell me about please", None),
        ] {
            assert_eq!(english_topic(message).as_deref(), topic, "{message:?}");
        }
    }

    #[test]
    fn occupations_read_with_their_article_and_case() {
        let bio = "Maren Lund is a 67-year-old Breton lighthouse keeper in Brest.";
        assert_eq!(
            spoken_occupation("Breton lighthouse keeper", "en", bio),
            "a Breton lighthouse keeper"
        );
        assert_eq!(
            spoken_occupation("Bookseller, former academic", "en", ""),
            "a bookseller and former academic"
        );
        assert_eq!(
            spoken_occupation("IT consultant", "en", ""),
            "an IT consultant"
        );
        assert_eq!(spoken_occupation("Buchhändler", "de", ""), "Buchhändler");
    }
}
