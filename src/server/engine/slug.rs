//! Slugs from free text, for the names both engines suggest: lowercase ASCII, accents
//! transliterated, cut at a dash.

pub(super) const MAX_SLUG_LEN: usize = 48;

/// Lowercase ASCII [a-z0-9-], accents transliterated, single dashes, none at the edges; when
/// too long, cut at a dash rather than inside a word.
pub(super) fn slugify(text: &str) -> String {
    let mut slug = String::new();
    for character in text.chars().flat_map(char::to_lowercase) {
        if character.is_ascii_alphanumeric() {
            slug.push(character);
        } else if let Some(ascii) = ascii_for(character) {
            slug.push_str(ascii);
        } else if is_combining_mark(character) {
            continue;
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    if slug.len() > MAX_SLUG_LEN {
        let cuts_a_word = slug.as_bytes()[MAX_SLUG_LEN] != b'-';
        slug.truncate(MAX_SLUG_LEN);
        if cuts_a_word && let Some(last_dash) = slug.rfind('-') {
            slug.truncate(last_dash);
        }
    }
    slug.trim_end_matches('-').to_owned()
}

fn ascii_for(lowercase: char) -> Option<&'static str> {
    let ascii = match lowercase {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ğ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ł' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'œ' => "oe",
        'ř' => "r",
        'ś' | 'š' | 'ş' | 'ș' => "s",
        'ß' => "ss",
        'ť' | 'ţ' | 'ț' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    };
    Some(ascii)
}

/// Combining diacritics, such as the dot that "İ" leaves behind when lowercased.
fn is_combining_mark(character: char) -> bool {
    ('\u{0300}'..='\u{036F}').contains(&character)
}
