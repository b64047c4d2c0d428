//! Waiver subjects: an exact value or a glob with `*` (any run of characters, none included)
//! and `?` (exactly one character), compared case-insensitively as addresses and profile names
//! are in Dynamics 365. Small enough not to need a glob crate, whose path semantics (`/`
//! separators, `**`) do not fit addresses.

/// True when `text` matches `pattern`, ignoring case.
pub fn matches(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().flat_map(char::to_lowercase).collect();
    let t: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    // Greedy matching with one backtrack point (the last `*`): linear in practice, never
    // exponential.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn exact_values_match_ignoring_case() {
        assert!(matches("Frank@Contoso.com", "frank@contoso.com"));
        assert!(!matches("frank@contoso.com", "frank@contoso.co"));
        assert!(!matches("frank@contoso.com", "xfrank@contoso.com"));
        assert!(matches("", ""));
        assert!(!matches("", "a"));
    }

    #[test]
    fn star_and_question_mark() {
        assert!(matches("*@fabrikam.com", "frank.old@Fabrikam.com"));
        assert!(!matches("*@fabrikam.com", "frank@fabrikam.com.evil"));
        assert!(matches("legacy *", "Legacy Exchange Online"));
        assert!(matches("user?@contoso.com", "user7@contoso.com"));
        assert!(!matches("user?@contoso.com", "user@contoso.com"));
        assert!(!matches("user?@contoso.com", "user12@contoso.com"));
        assert!(matches("*", ""));
        assert!(matches("a*b*c", "aXXbYYbc"));
        assert!(!matches("a*b*c", "aXXbYYb"));
        assert!(matches("**a", "bba"));
    }

    #[test]
    fn many_stars_stay_fast() {
        let text = "a".repeat(2000);
        let pattern = format!("{}b", "*a".repeat(50));
        assert!(!matches(&pattern, &text));
    }
}
