//! Plain-text formatting of API values shared by the commands: absent fields, counts, money.

/// A field as plain text, `-` when the server left it out or sent null.
pub fn or_dash<T: std::fmt::Display>(value: Option<T>) -> String {
    value.map_or_else(|| "-".to_string(), |value| value.to_string())
}

/// `18,421`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub use crate::model::usd;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_well() {
        assert_eq!(thousands(18421), "18,421");
        assert_eq!(thousands(999), "999");
        assert_eq!(usd(0.79), "$0.79");
        assert_eq!(usd(0.0042), "$0.0042");
        assert_eq!(or_dash(None::<&str>), "-");
        assert_eq!(or_dash(Some(3)), "3");
    }
}
