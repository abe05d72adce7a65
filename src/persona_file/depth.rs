//! How deep a YAML text nests, measured before it is parsed: the YAML parser slows down with
//! every level, so a file nested past the limit is refused without parsing it.

use crate::json;

/// The most levels of nested mappings and sequences a YAML file read here (a working copy, a
/// brief's front matter) may have: as many as a JSON document (so that every persona the API
/// holds comes back from its working copy), far more than a persona needs. A deeper file is
/// refused before it is parsed, as the YAML parser slows down with every level.
pub const MAX_YAML_DEPTH: usize = json::MAX_DEPTH;

/// The 1-based line on which `text` first nests mappings and sequences deeper than
/// `MAX_YAML_DEPTH`, if it does. One pass that builds nothing: block collections are counted
/// by their indentation and indicators (`- - x`, `- key: x`), flow collections by their
/// brackets; quoted scalars, comments and block scalars are skipped.
pub(crate) fn yaml_too_deep(text: &str) -> Option<usize> {
    #[derive(Clone, Copy, PartialEq)]
    enum Block {
        Mapping,
        Sequence,
    }
    // The open block collections (column, kind), the open flow collections, the quote of a
    // quoted scalar going on, and the column a block scalar's lines are indented past.
    let mut blocks: Vec<(usize, Block)> = Vec::new();
    let mut flow = 0usize;
    let mut quote: Option<char> = None;
    let mut block_scalar_past: Option<usize> = None;
    for (index, line) in text.lines().enumerate() {
        let chars: Vec<char> = line.chars().collect();
        let indent = chars.iter().take_while(|c| **c == ' ').count();
        let blank = chars[indent..].iter().all(|c| c.is_whitespace());
        if let Some(parent) = block_scalar_past {
            if blank || indent > parent {
                continue;
            }
            block_scalar_past = None;
        }
        let mut at = 0;
        if quote.is_none() && flow == 0 {
            if blank || chars[indent] == '#' {
                continue;
            }
            at = indent;
            let mut owner = indent;
            // Opens (or continues) a block collection at a column; false once too deep.
            let mut open = |column: usize, kind: Block| {
                while let Some(&(open_column, open_kind)) = blocks.last() {
                    let closed = open_column > column
                        || (open_column == column
                            && open_kind == Block::Sequence
                            && kind == Block::Mapping);
                    if !closed {
                        break;
                    }
                    blocks.pop();
                }
                if blocks.last() != Some(&(column, kind)) {
                    blocks.push((column, kind));
                }
                blocks.len() <= MAX_YAML_DEPTH
            };
            let separated = |at: usize| chars.get(at).is_none_or(|c| *c == ' ' || *c == '\t');
            // `- ` and `? ` entries, one inside the other on one line.
            while let Some(kind) = match chars.get(at) {
                Some('-') if separated(at + 1) => Some(Block::Sequence),
                Some('?') if separated(at + 1) => Some(Block::Mapping),
                _ => None,
            } {
                if !open(at, kind) {
                    return Some(index + 1);
                }
                owner = at;
                at += 1;
                while separated(at) && at < chars.len() {
                    at += 1;
                }
            }
            at = after_properties(&chars, at);
            if let Some(value) = after_mapping_key(&chars, at) {
                if !open(at, Block::Mapping) {
                    return Some(index + 1);
                }
                owner = at;
                at = after_properties(&chars, value);
            }
            match chars.get(at) {
                Some('|' | '>') => {
                    block_scalar_past = Some(owner);
                    continue;
                }
                Some('[' | '{' | '"' | '\'') => {}
                // A plain scalar, or nothing: the rest of the line is text.
                _ => continue,
            }
        }
        let mut previous = if at == 0 { ' ' } else { chars[at - 1] };
        let mut rest = chars[at..].iter().peekable();
        while let Some(&c) = rest.next() {
            match quote {
                Some('"') if c == '\\' => {
                    rest.next();
                }
                Some('\'') if c == '\'' && rest.peek() == Some(&&'\'') => {
                    rest.next();
                }
                Some(closing) if c == closing => quote = None,
                Some(_) => {}
                None => match c {
                    '[' | '{' => {
                        flow += 1;
                        if blocks.len() + flow > MAX_YAML_DEPTH {
                            return Some(index + 1);
                        }
                    }
                    ']' | '}' => flow = flow.saturating_sub(1),
                    '"' | '\'' if " \t[{,:".contains(previous) => quote = Some(c),
                    '#' if previous == ' ' || previous == '\t' => break,
                    _ => {}
                },
            }
            previous = c;
        }
    }
    None
}

/// Where a node's text starts past its `&anchor` and `!tag` properties.
fn after_properties(chars: &[char], mut at: usize) -> usize {
    while matches!(chars.get(at), Some('&' | '!')) {
        while chars.get(at).is_some_and(|c| *c != ' ') {
            at += 1;
        }
        while chars.get(at) == Some(&' ') {
            at += 1;
        }
    }
    at
}

/// Where the value starts when a `key:` (plain or quoted) starts at `at`.
fn after_mapping_key(chars: &[char], at: usize) -> Option<usize> {
    let mut end = at;
    match chars.get(at)? {
        quote @ ('"' | '\'') => {
            end += 1;
            while chars.get(end)? != quote {
                end += if *quote == '"' && chars[end] == '\\' {
                    2
                } else {
                    1
                };
            }
            end += 1;
            while chars.get(end) == Some(&' ') {
                end += 1;
            }
            (chars.get(end) == Some(&':')).then_some(())?;
        }
        '[' | '{' | '#' => return None,
        _ => loop {
            match chars.get(end)? {
                ':' if chars.get(end + 1).is_none_or(|c| *c == ' ') => break,
                '#' if chars[end - 1] == ' ' => return None,
                _ => end += 1,
            }
        },
    }
    let mut value = end + 1;
    while chars.get(value) == Some(&' ') {
        value += 1;
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::persona_file::object_to_yaml;

    /// A value nesting `levels` mappings and sequences, the two in turn from a mapping at the
    /// top, each holding a scalar beside the next level.
    fn nested(levels: usize) -> Value {
        (0..levels).fold(json!("leaf"), |inner, level| {
            if (levels - level) % 2 == 1 {
                json!({ "k": "v", "deeper": inner })
            } else {
                json!(["x", inner])
            }
        })
    }

    #[test]
    fn yaml_nesting_is_measured_before_parsing() {
        // Block style as written by `object_to_yaml`, and flow style, up to the limit and past it.
        for levels in [
            1,
            2,
            3,
            MAX_YAML_DEPTH - 1,
            MAX_YAML_DEPTH,
            MAX_YAML_DEPTH + 1,
        ] {
            let fits = levels <= MAX_YAML_DEPTH;
            let block = object_to_yaml(&nested(levels));
            assert_eq!(yaml_too_deep(&block).is_none(), fits, "{levels}:\n{block}");
            let flow = format!("deep: {}", nested(levels - 1));
            assert_eq!(yaml_too_deep(&flow).is_none(), fits, "{levels}: {flow}");
            if fits {
                let parsed: Value = serde_norway::from_str(&block).unwrap();
                assert_eq!(parsed, nested(levels));
            }
        }
        // Compact entries, lines of a flow collection, indentation.
        let compact = format!("{}x", "- ".repeat(MAX_YAML_DEPTH + 1));
        assert_eq!(yaml_too_deep(&compact), Some(1));
        let lines = format!("a:\n{}", "[\n".repeat(MAX_YAML_DEPTH));
        assert_eq!(yaml_too_deep(&lines), Some(MAX_YAML_DEPTH + 1));
        let indented: String = (0..=MAX_YAML_DEPTH)
            .map(|level| format!("{}k{level}:\n", " ".repeat(level)))
            .collect();
        assert_eq!(yaml_too_deep(&indented), Some(MAX_YAML_DEPTH + 1));
        // Brackets in text are text: block scalars, quoted and plain scalars, comments.
        let brackets = "[".repeat(1000);
        for text in [
            format!("bio: |\n  {brackets}\n  more\nnext: 1\n"),
            format!("q: \"{brackets}\\\"\"\ns: '{brackets}''{brackets}'\n"),
            format!("p: a{brackets}\nc: x # {brackets}\n# {brackets}\n"),
            format!("list:\n- >-\n  {brackets}\n- \"multi\n  line {brackets}\"\n"),
        ] {
            assert_eq!(yaml_too_deep(&text), None, "{text}");
        }
    }
}
