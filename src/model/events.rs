//! The kinds of event a run's stream carries (contract §5), spelt once: the runner writes them,
//! the server's stream closes after a terminal one, and the client and commands read them.

use std::fmt;

/// One kind of run event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunEventKind {
    RunStarted,
    StepStarted,
    LayerDelta,
    StepCompleted,
    RunCompleted,
    RunFailed,
    RunCanceled,
}

impl RunEventKind {
    /// Every kind, in the order a run emits them.
    pub const ALL: [RunEventKind; 7] = [
        RunEventKind::RunStarted,
        RunEventKind::StepStarted,
        RunEventKind::LayerDelta,
        RunEventKind::StepCompleted,
        RunEventKind::RunCompleted,
        RunEventKind::RunFailed,
        RunEventKind::RunCanceled,
    ];

    /// The name on the wire (`event:` of the SSE stream, the `event` of the store's log).
    pub fn as_str(self) -> &'static str {
        match self {
            RunEventKind::RunStarted => "run.started",
            RunEventKind::StepStarted => "step.started",
            RunEventKind::LayerDelta => "layer.delta",
            RunEventKind::StepCompleted => "step.completed",
            RunEventKind::RunCompleted => "run.completed",
            RunEventKind::RunFailed => "run.failed",
            RunEventKind::RunCanceled => "run.canceled",
        }
    }

    /// The kind a wire name stands for; None for a name this contract does not define.
    pub fn parse(name: &str) -> Option<RunEventKind> {
        RunEventKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name)
    }

    /// Whether the run ends with this event (the stream closes after it).
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            RunEventKind::RunCompleted | RunEventKind::RunFailed | RunEventKind::RunCanceled
        )
    }
}

impl fmt::Display for RunEventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_only_the_three_endings_are_terminal() {
        for kind in RunEventKind::ALL {
            assert_eq!(RunEventKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(RunEventKind::parse("run.paused"), None);
        let terminal: Vec<&str> = RunEventKind::ALL
            .into_iter()
            .filter(|kind| kind.is_terminal())
            .map(RunEventKind::as_str)
            .collect();
        assert_eq!(terminal, ["run.completed", "run.failed", "run.canceled"]);
    }
}
