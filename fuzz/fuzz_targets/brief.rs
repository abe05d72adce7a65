//! Fuzz target: `brief::parse_brief` on any text. It never panics, an accepted brief keeps the
//! API's intent rules, and an error's line number points into the brief.

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
            if let Some(line) = err.line {
                assert!(line >= 1 && line <= text.split('\n').count() + 1, "line {line}");
            }
        }
    }
});
