//! Fuzz target: `brief::parse_brief` on any text. It never panics, an accepted brief keeps the
//! API's intent rules, and an error's line number is a line of the brief.

#![no_main]

use libfuzzer_sys::fuzz_target;
use persona::brief::{Brief, parse_brief};

fuzz_target!(|text: &str| {
    match parse_brief(text) {
        Ok(brief) => {
            assert!(!brief.intent.is_empty());
            assert_eq!(brief.intent, brief.intent.trim());
            assert!(brief.intent.chars().count() <= Brief::MAX_INTENT_CHARS);
            assert!(text.contains(&brief.intent));
        }
        Err(err) => {
            assert!(!err.message.is_empty());
            // Lines as YAML counts them: CR LF, CR and LF each end one.
            let lines = text
                .replace("\r\n", "\n")
                .replace('\r', "\n")
                .split('\n')
                .count();
            if let Some(line) = err.line {
                assert!(line >= 1 && line <= lines, "line {line} of {lines}");
            }
        }
    }
});
