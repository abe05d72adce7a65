//! Who may see a persona: `private` (its owner's keys only), `workspace` or `public`. The
//! store applies the rule on every read path (`VISIBLE_TO_OWNER` in `server::store`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A persona's visibility.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    #[default]
    Private,
    Workspace,
    Public,
}

impl Visibility {
    /// Every visibility, in the order the contract lists them.
    pub const ALL: [Visibility; 3] = [
        Visibility::Private,
        Visibility::Workspace,
        Visibility::Public,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Private => "private",
            Visibility::Workspace => "workspace",
            Visibility::Public => "public",
        }
    }
}

impl FromStr for Visibility {
    type Err = String;

    fn from_str(text: &str) -> Result<Visibility, String> {
        Visibility::ALL
            .into_iter()
            .find(|v| v.as_str() == text)
            .ok_or_else(|| {
                format!("`visibility` must be one of private, workspace, public, not `{text}`")
            })
    }
}

impl fmt::Display for Visibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_ones_are_refused() {
        for visibility in Visibility::ALL {
            assert_eq!(visibility.as_str().parse::<Visibility>(), Ok(visibility));
        }
        assert!(
            "team"
                .parse::<Visibility>()
                .unwrap_err()
                .contains("private, workspace, public")
        );
    }
}
