//! `PersonaRef`: how a persona is named in a path, a tool argument or a model name: its id
//! (`psn_...`), its slug, or either with a version (`the-bergen-fisherman@v2`).

use std::fmt;

/// A parsed persona reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonaRef {
    /// The id or slug before any `@`.
    pub base: String,
    /// The version after `@v`, from 1; `None` names the current version.
    pub version: Option<i64>,
}

/// Why a text is not a persona reference; its message says how one is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceError {
    pub reference: String,
}

impl fmt::Display for ReferenceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a persona reference; a version is written `@v3`",
            self.reference
        )
    }
}

impl std::error::Error for ReferenceError {}

impl PersonaRef {
    /// Parses `id`, `slug`, `id@vN` or `slug@vN` (N a whole number from 1).
    pub fn parse(text: &str) -> Result<PersonaRef, ReferenceError> {
        let refuse = || ReferenceError {
            reference: text.to_string(),
        };
        match text.split_once('@') {
            None => Ok(PersonaRef {
                base: text.to_string(),
                version: None,
            }),
            Some((base, version)) => {
                let number = version
                    .strip_prefix('v')
                    .filter(|digits| {
                        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
                    })
                    .and_then(|digits| digits.parse::<i64>().ok())
                    .filter(|number| *number >= 1)
                    .ok_or_else(refuse)?;
                Ok(PersonaRef {
                    base: base.to_string(),
                    version: Some(number),
                })
            }
        }
    }

    /// The same persona at `version`.
    pub fn at(base: &str, version: i64) -> PersonaRef {
        PersonaRef {
            base: base.to_string(),
            version: Some(version),
        }
    }
}

impl fmt::Display for PersonaRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.version {
            None => f.write_str(&self.base),
            Some(version) => write!(f, "{}@v{version}", self.base),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_parse_with_and_without_a_version() {
        assert_eq!(
            PersonaRef::parse("the-bergen-fisherman").unwrap(),
            PersonaRef {
                base: "the-bergen-fisherman".into(),
                version: None
            }
        );
        let versioned = PersonaRef::parse("psn_8Hq2@v12").unwrap();
        assert_eq!(versioned, PersonaRef::at("psn_8Hq2", 12));
        assert_eq!(versioned.to_string(), "psn_8Hq2@v12");
    }

    #[test]
    fn a_malformed_version_is_refused_with_the_way_to_write_one() {
        for bad in [
            "slug@", "slug@3", "slug@v", "slug@v0", "slug@v-1", "slug@v+2", "slug@v1x",
        ] {
            let error = PersonaRef::parse(bad).unwrap_err();
            assert!(error.to_string().contains("`@v3`"), "{bad}: {error}");
        }
    }
}
