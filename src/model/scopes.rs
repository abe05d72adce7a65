//! The scopes of contract §2 and their two rules, for the server that checks them and the
//! commands that ask for them: which names are scopes, and what a key's scopes grant.

/// Every scope; the development key holds them all.
pub const ALL_SCOPES: [&str; 11] = [
    "personas:read",
    "personas:write",
    "personas:fork",
    "runs:read",
    "runs:cancel",
    "chat:invoke",
    "chat:read",
    "webhooks:manage",
    "config:read",
    "config:write",
    "keys:manage",
];

/// The scopes the CLI's own commands use, which `persona auth login` asks for unless told
/// otherwise: every scope up to `webhooks:manage`; those of configuration and key management,
/// which no command of a remote profile calls, come last in [`ALL_SCOPES`] and are left out.
pub const CLI_SCOPES: &[&str] = ALL_SCOPES.split_at(8).0;

/// Whether `scope` names a scope: one of [`ALL_SCOPES`], or `group:*` for a group of them.
pub fn is_known_scope(scope: &str) -> bool {
    ALL_SCOPES.contains(&scope)
        || scope.strip_suffix(":*").is_some_and(|group| {
            ALL_SCOPES
                .iter()
                .any(|known| known.split(':').next() == Some(group))
        })
}

/// Whether a key holding `held` may do what needs `wanted`: directly, or through `group:*`
/// or `*`.
pub fn grants(held: &[String], wanted: &str) -> bool {
    let group = wanted.split(':').next().unwrap_or(wanted);
    held.iter().any(|scope| {
        scope == wanted
            || scope == "*"
            || scope
                .strip_suffix(":*")
                .is_some_and(|held_group| held_group == group)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_scopes_when_the_group_exists() {
        assert!(is_known_scope("personas:read"));
        assert!(is_known_scope("personas:*"));
        assert!(!is_known_scope("person:*"));
        assert!(!is_known_scope("personas:delete"));
    }

    #[test]
    fn the_cli_asks_for_every_scope_but_configuration_and_keys() {
        assert_eq!(CLI_SCOPES.last(), Some(&"webhooks:manage"));
        for scope in ALL_SCOPES {
            let managed_elsewhere = scope.starts_with("config:") || scope.starts_with("keys:");
            assert_eq!(CLI_SCOPES.contains(&scope), !managed_elsewhere, "{scope}");
        }
    }

    #[test]
    fn a_group_grants_its_own_scopes_only() {
        let held = vec!["personas:*".to_string(), "runs:read".to_string()];
        assert!(grants(&held, "personas:fork"));
        assert!(grants(&held, "runs:read"));
        assert!(!grants(&held, "runs:cancel"));
        assert!(grants(&["*".to_string()], "keys:manage"));
    }
}
