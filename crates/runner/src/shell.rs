//! Quoting values for the command lines the tool prints for people to paste.

/// `value` as one POSIX shell word: unchanged when it is plainly safe, else single-quoted.
pub fn quote(value: &str) -> String {
    let safe = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"@%+=:,./_-".contains(&b));
    if safe {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quotes_only_what_needs_it() {
        assert_eq!(quote("frank@contoso.com"), "frank@contoso.com");
        assert_eq!(quote("http://127.0.0.1:4100"), "http://127.0.0.1:4100");
        assert_eq!(quote("Frank Miller"), "'Frank Miller'");
        assert_eq!(quote("O'Brien"), r"'O'\''Brien'");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("a$b"), "'a$b'");
    }
}
