//! The part of a conversation a turn reads: its last messages within a token budget, the same
//! for every engine and for the drift score, so a turn costs the same however long it has grown.

use super::{ChatMessage, count_tokens};
use crate::server::store::{self, Store};

/// The most tokens (as [`count_tokens`] counts them) of earlier messages a turn reads.
pub const WINDOW_TOKENS: u64 = 8_000;
/// The most earlier messages a turn reads.
pub const WINDOW_MESSAGES: usize = 200;

/// The earlier messages a turn reads, oldest first, and how many came before them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Window {
    pub messages: Vec<ChatMessage>,
    /// Messages of the conversation left out, older than the window.
    pub earlier: u64,
}

/// What is left of the window as it is filled from the newest message back.
struct Budget {
    tokens: u64,
    messages: usize,
}

impl Budget {
    fn new() -> Self {
        Budget {
            tokens: WINDOW_TOKENS,
            messages: WINDOW_MESSAGES,
        }
    }

    /// Takes a message when it still fits; the first that does not closes the window.
    fn admits(&mut self, content: &str) -> bool {
        let tokens = count_tokens(content);
        if self.messages == 0 || tokens > self.tokens {
            return false;
        }
        self.messages -= 1;
        self.tokens -= tokens;
        true
    }
}

/// The window of a stored conversation, read from its newest message back and no further.
pub fn of_conversation(store: &Store, conversation_id: &str) -> store::Result<Window> {
    let mut budget = Budget::new();
    let (messages, earlier) =
        store.latest_messages(conversation_id, |message| budget.admits(&message.content))?;
    Ok(Window {
        messages: messages
            .into_iter()
            .filter(|message| !message.content.is_empty())
            .map(|message| ChatMessage::new(&message.role, &message.content))
            .collect(),
        earlier,
    })
}

/// The window of a history the caller sent (the OpenAI endpoint): its newest messages within
/// the same budget, without tool results whose call was left out.
pub fn of_history(history: &[ChatMessage]) -> Window {
    let mut budget = Budget::new();
    let fitting = history
        .iter()
        .rev()
        .take_while(|message| budget.admits(&message.content))
        .count();
    let mut start = history.len() - fitting;
    while history
        .get(start)
        .is_some_and(|message| message.role == "tool")
    {
        start += 1;
    }
    Window {
        messages: history[start..].to_vec(),
        earlier: start as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::store::{Conversation, StoredMessage};

    fn stored(role: &str, content: &str) -> StoredMessage {
        StoredMessage::text(crate::server::ids::new_id("msg"), role, content, 0)
    }

    /// Appends `count` turns (a user message and a reply) to the conversation.
    fn talk(store: &Store, count: usize) {
        store
            .write(|tx| {
                for n in 0..count {
                    let question = format!("Which book would you keep, of the {n} on the shelf?");
                    Store::append_message(tx, "conv_1", &stored("user", &question))?;
                    let answer = "The one with the torn cover, whose owner never came back.";
                    Store::append_message(tx, "conv_1", &stored("assistant", answer))?;
                }
                Ok::<_, store::Error>(())
            })
            .unwrap();
    }

    #[test]
    fn a_turn_of_a_long_conversation_reads_only_its_window() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let conversation = Conversation {
            id: "conv_1".to_string(),
            workspace_id: "ws".to_string(),
            persona_id: "psn_1".to_string(),
            persona_version: 1,
            created_at: 0,
        };
        store.insert_conversation(&conversation).unwrap();

        talk(&store, 150);
        let (short, short_probe) = store.probe(|store| of_conversation(store, "conv_1").unwrap());
        talk(&store, 2_850);
        let (long, long_probe) = store.probe(|store| of_conversation(store, "conv_1").unwrap());

        // 6,000 messages stored; the window holds the last 200, as it did at 300.
        assert_eq!(long.messages.len(), WINDOW_MESSAGES);
        assert_eq!(long.earlier, 6_000 - WINDOW_MESSAGES as u64);
        assert_eq!(short.earlier, 300 - WINDOW_MESSAGES as u64);
        assert_eq!(long.messages.last().unwrap().role, "assistant");
        assert!(
            long.messages[0].content.contains("2750 on the shelf"),
            "{:?}",
            long.messages[0]
        );
        // One statement, reading the same rows whatever the length of the conversation.
        assert_eq!(long_probe.statements.len(), 1);
        assert_eq!(store.whole_table_reads(&long_probe), Vec::<String>::new());
        assert!(
            long_probe.steps <= short_probe.steps + 1,
            "{} hundred steps at 6,000 messages, {} at 300",
            long_probe.steps,
            short_probe.steps
        );
    }

    #[test]
    fn the_window_keeps_the_newest_messages_within_the_token_budget() {
        let long = "word ".repeat(2_000); // 2,500 tokens
        let history: Vec<ChatMessage> = (0..6)
            .map(|n| ChatMessage::new(["user", "assistant"][n % 2], &format!("{n} {long}")))
            .collect();
        let window = of_history(&history);
        assert_eq!(window.messages, history[3..].to_vec());
        assert_eq!(window.earlier, 3);

        // A tool result whose call falls outside is left out with it.
        let mut with_tools = history[..5].to_vec();
        with_tools.insert(2, ChatMessage::new("tool", "42"));
        with_tools[2].tool_call_id = Some("call_1".to_string());
        let window = of_history(&with_tools);
        assert_eq!(window.messages, with_tools[3..].to_vec());
        assert_eq!(window.earlier, 3);

        assert_eq!(of_history(&[]), Window::default());
    }
}
