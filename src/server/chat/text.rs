//! Small text tools shared by the chat engines and the drift scorer: words, sentences, a
//! stable hash, and the stopwords of the languages the offline engine speaks.

/// A persona's text field trimmed, when there is any text left.
pub fn non_blank(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|text| !text.is_empty())
}

/// The languages with their own templates and word lists; others fall back to English.
pub const LANGUAGES: [&str; 5] = ["en", "tr", "de", "fr", "es"];

/// Frequent function words per language, for telling languages apart and finding keywords.
pub fn stopwords(language: &str) -> &'static [&'static str] {
    match language {
        "tr" => &[
            "ve", "bir", "bu", "ben", "sen", "için", "ne", "mi", "da", "de", "çok", "gibi", "ama",
            "benim", "değil", "var", "şu", "her", "peki", "neden",
        ],
        "de" => &[
            "und", "ich", "der", "die", "das", "ist", "nicht", "ein", "eine", "sie", "mit", "zu",
            "mein", "es", "wie", "was", "mich", "von", "aber", "bin",
        ],
        "fr" => &[
            "et", "le", "la", "les", "je", "est", "un", "une", "des", "pas", "vous", "que", "mon",
            "ce", "dans", "qui", "pour", "suis", "mais", "une",
        ],
        "es" => &[
            "y", "el", "la", "los", "las", "es", "un", "una", "que", "yo", "mi", "en", "por", "lo",
            "soy", "pero", "para", "con", "del", "qué",
        ],
        _ => &[
            "the", "and", "is", "are", "i", "you", "to", "of", "it", "that", "what", "my", "me",
            "a", "in", "this", "with", "for", "was", "be", "about", "your", "have", "they", "them",
            "their", "there", "from", "through", "into", "when", "which", "would", "being",
            "having", "been", "were", "than", "then", "just", "only", "very",
        ],
    }
}

/// FNV-1a, 64 bits: a hash that is the same on every machine and in every build.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The words of a text, lowercased; apostrophes and hyphens inside a word are kept.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’' || c == '-'))
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The sentences of a text, each with its closing punctuation (and closing quotes).
pub fn sentences(text: &str) -> Vec<&str> {
    const CLOSERS: [char; 4] = ['»', '"', '”', '\''];
    let mut found = Vec::new();
    let mut start = 0;
    for (index, c) in text.char_indices() {
        if index < start || !matches!(c, '.' | '!' | '?' | '…') {
            continue;
        }
        let mut end = index + c.len_utf8();
        while let Some(closer) = text[end..].chars().next().filter(|c| CLOSERS.contains(c)) {
            end += closer.len_utf8();
        }
        if text[end..].chars().next().is_none_or(char::is_whitespace) {
            found.push(text[start..end].trim());
            start = end;
        }
    }
    found.push(text[start..].trim());
    found.retain(|s| s.chars().any(char::is_alphanumeric));
    found
}

/// Content words of a text: at least four letters and not a stopword of any known language.
pub fn keywords(text: &str) -> Vec<String> {
    let mut found: Vec<String> = words(text)
        .into_iter()
        .filter(|w| w.chars().count() >= 4)
        .filter(|w| !LANGUAGES.iter().any(|l| stopwords(l).contains(&w.as_str())))
        .collect();
    found.dedup();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_sentences_split_as_people_read_them() {
        assert_eq!(
            words("I'm Mert — a self-deprecating bookseller!"),
            vec!["i'm", "mert", "a", "self-deprecating", "bookseller"]
        );
        assert_eq!(
            sentences("Hm. Is it 3.5 now? «Yes.» Fine!"),
            vec!["Hm.", "Is it 3.5 now?", "«Yes.»", "Fine!"]
        );
        assert_eq!(sentences("no end mark"), vec!["no end mark"]);
    }

    #[test]
    fn the_hash_is_fixed() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
