//! Reading a server-side synchronization alert: which of KB 3212785's three symptom messages
//! it is, the mailbox it names and the error code it carries.
//!
//! The parser works on whatever an operator pastes: line breaks inside sentences, curly
//! quotes and apostrophes, extra text around the alert. It never panics (it is fuzzed): all
//! matching is ASCII case-insensitive on a normalised copy whose byte offsets are those of
//! the text it slices.

/// The three symptom messages of KB 3212785.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Symptom {
    /// "The email message "…" cannot be sent. Make sure that the credentials specified in the
    /// mailbox <name> are correct…"
    Sending,
    /// "Email cannot be received for the mailbox <name>. Make sure that the credentials…"
    Receiving,
    /// "Appointments, contacts, and tasks can't be synchronized. Make sure that the credentials
    /// specified in the mailbox <name> are correct…"
    AppointmentsContactsTasks,
}

impl Symptom {
    pub fn describe(self) -> &'static str {
        match self {
            Symptom::Sending => "outgoing e-mail cannot be sent",
            Symptom::Receiving => "incoming e-mail cannot be received",
            Symptom::AppointmentsContactsTasks => "appointments, contacts and tasks cannot be synchronized",
        }
    }
}

/// What an alert says, as far as it could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub symptom: Option<Symptom>,
    /// The mailbox name the message names (the mailbox record's name).
    pub mailbox: Option<String>,
    /// The text after "Email Server Error Code:", without the final full stop.
    pub error_code: Option<String>,
    /// The subject of the e-mail that could not be sent (sending alerts only).
    pub email_subject: Option<String>,
    /// The alert markers of registered checks (`CheckMeta::alert_markers`) the text carries,
    /// as the checks declare them: `NoUserFoundWithGivenClaims` for a recreated user.
    pub markers: Vec<&'static str>,
    /// The whole text, folded as the core matches alerts ([`ssync_core::alerts`]): what a
    /// check's markers and error codes are looked for in.
    pub text: AlertText,
    /// The documented cause the text resembles most ([`ssync_core::alerts::CATALOGUE`]).
    pub documented: Option<&'static DocumentedCause>,
}

impl Alert {
    /// True when the error code is the HTTP 401 KB 3212785 is about.
    pub fn is_401(&self) -> bool {
        self.error_code.as_deref().is_some_and(|c| {
            let c = c.to_ascii_lowercase();
            c.contains("401") || c.contains("unauthorized")
        })
    }
}

use ssync_core::AlertText;
use ssync_core::alerts::{DocumentedCause, closest_documented_cause};

/// Reads an alert, noticing the alert markers of every registered check. `None` when the
/// text is none of the symptom messages and carries no e-mail server error code, no marker
/// and no documented alert text.
pub fn parse(text: &str) -> Option<Alert> {
    let markers: Vec<&'static str> = ssync_core::registered_checks()
        .map(|regs| {
            regs.iter()
                .flat_map(|r| r.meta().alert_markers.iter().copied())
                .collect()
        })
        .unwrap_or_default();
    parse_with_markers(text, &markers)
}

/// [`parse`] with the markers to look for given (case-insensitive).
pub fn parse_with_markers(text: &str, known_markers: &[&'static str]) -> Option<Alert> {
    let text = normalise(text);
    let lower = text.to_ascii_lowercase();
    let (symptom, mailbox, email_subject) = if let Some(at) = lower.find("cannot be sent") {
        let subject = quoted_before(&text, at);
        let mailbox = after_marker(&text, &lower, at, "specified in the mailbox ", " are correct");
        (Some(Symptom::Sending), mailbox, subject)
    } else if let Some(at) = lower.find("email cannot be received for the mailbox ") {
        // The name ends the sentence; a name may itself hold dots (an address), so the end is
        // ". Make sure", else ". ", else the end of the line.
        let mailbox = [". make sure", ". ", "\n"]
            .iter()
            .find_map(|end| after_marker(&text, &lower, at, "for the mailbox ", end))
            .or_else(|| {
                after_marker(
                    &format!("{text}\n"),
                    &format!("{lower}\n"),
                    at,
                    "for the mailbox ",
                    "\n",
                )
            })
            .map(|m| m.trim_end_matches('.').trim().to_owned())
            // "for the mailbox ." names nobody (found by fuzzing): no name, not an empty one.
            .filter(|m| !m.is_empty());
        (Some(Symptom::Receiving), mailbox, None)
    } else if let Some(at) = lower.find("appointments, contacts, and tasks can't be synchronized") {
        let mailbox = after_marker(&text, &lower, at, "specified in the mailbox ", " are correct");
        (Some(Symptom::AppointmentsContactsTasks), mailbox, None)
    } else {
        (None, None, None)
    };
    let error_code = lower.find("email server error code:").and_then(|at| {
        let start = at + "email server error code:".len();
        let rest = &text[start..];
        let end = rest.find('\n').unwrap_or(rest.len());
        let code = rest[..end].trim().trim_end_matches('.').trim();
        (!code.is_empty()).then(|| code.to_owned())
    });
    let folded = AlertText::new(&text);
    let mut markers: Vec<&'static str> = known_markers
        .iter()
        .copied()
        .filter(|m| folded.mentions(m))
        .collect();
    markers.dedup();
    let documented = closest_documented_cause(&folded);
    if symptom.is_none() && error_code.is_none() && markers.is_empty() && documented.is_none() {
        return None;
    }
    Some(Alert {
        symptom,
        mailbox,
        error_code,
        email_subject,
        markers,
        text: folded,
        documented,
    })
}

/// Straight quotes and apostrophes, one space for every run of spaces and tabs, and a single
/// line break kept between paragraphs only where the pasted text had a blank line, so that a
/// sentence wrapped over two lines reads as one.
fn normalise(text: &str) -> String {
    let straight: String = text
        .chars()
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' | '\u{2032}' => '\'',
            '\u{201C}' | '\u{201D}' | '\u{00AB}' | '\u{00BB}' => '"',
            '\u{00A0}' | '\t' | '\r' => ' ',
            c => c,
        })
        .collect();
    let mut out = String::with_capacity(straight.len());
    let mut blank_run = 0usize;
    for line in straight.lines() {
        let line = line
            .split(' ')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if line.is_empty() {
            blank_run += 1;
            continue;
        }
        if !out.is_empty() {
            // "Email Server Error Code:" starts its own line in the alert; keep that break so
            // the code ends at the end of its line.
            let starts_code = line.to_ascii_lowercase().starts_with("email server error code");
            out.push(if blank_run > 0 || starts_code { '\n' } else { ' ' });
        }
        out.push_str(&line);
        blank_run = 0;
    }
    out.replace("cannot be synchronized", "can't be synchronized")
        .replace("can not be", "cannot be")
}

/// The text between `start` and `end` found after `from`, trimmed and stripped of the
/// angle brackets the KB article puts around placeholders (with the backslash its Markdown
/// source escapes the opening one with).
fn after_marker(text: &str, lower: &str, from: usize, start: &str, end: &str) -> Option<String> {
    let begin = from + lower[from..].find(start)? + start.len();
    let stop = begin + lower[begin..].find(end)?;
    let name = text[begin..stop]
        .trim()
        .trim_start_matches(['\\', '<'])
        .trim_end_matches('>')
        .trim()
        .trim_matches('"')
        .trim();
    (!name.is_empty() && !name.contains('\n')).then(|| name.to_owned())
}

/// The quoted e-mail subject just before "cannot be sent": `The email message "X" cannot…`.
fn quoted_before(text: &str, at: usize) -> Option<String> {
    let head = text[..at].trim_end();
    let head = head.strip_suffix('"')?;
    let open = head.rfind('"')?;
    let subject = head[open + 1..].trim();
    (!subject.is_empty()).then(|| subject.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SENDING: &str = "The email message \"Test Message\" cannot be sent. Make sure that the credentials \
        specified in the mailbox Frank Miller are correct and have sufficient permissions for sending email. \
        Then, enable the mailbox for email processing.\nEmail Server Error Code: Http server returned 401 \
        Unauthorized exception.";
    const RECEIVING: &str = "Email cannot be received for the mailbox frank.old@contoso.com. Make sure that \
        the credentials specified in the mailbox are correct and have sufficient permissions for receiving \
        email. Then, enable the mailbox for email processing.\n\nEmail Server Error Code: Http server \
        returned 401 Unauthorized exception.";
    const ACT: &str = "Appointments, contacts, and tasks can’t be synchronized. Make sure that the \
        credentials specified in the mailbox <Sam Jones> are correct and have sufficient permissions. Then, \
        enable the mailbox for appointments, contacts, and tasks synchronization.";

    /// The three alert templates exactly as KB 3212785 prints them, pasted from the page
    /// (angle brackets) and from its Markdown source (a backslash before the bracket, and the
    /// list and quote markers of the source).
    #[test]
    fn every_kb_template_gives_its_mailbox_name() {
        let templates = [
            "The email message \"Test Message\" cannot be sent. Make sure that the credentials specified in the \
             mailbox <Mailbox Name> are correct and have sufficient permissions for sending email. Then, enable \
             the mailbox for email processing.",
            "Appointments, contacts, and tasks can't be synchronized. Make sure that the credentials specified in \
             the mailbox <Mailbox Name> are correct and have sufficient permissions. Then, enable the mailbox for \
             appointments, contacts, and tasks synchronization.",
            "Email cannot be received for the mailbox <Mailbox Name>. Make sure that the credentials specified in \
             the mailbox are correct and have sufficient permissions for receiving email. Then, enable the mailbox \
             for email processing.",
        ];
        for template in templates {
            for pasted in [
                template.to_owned(),
                format!("> - {}", template.replace('<', "\\<")),
            ] {
                let a = parse(&pasted).expect("recognised");
                assert_eq!(a.mailbox.as_deref(), Some("Mailbox Name"), "{pasted}");
            }
        }
    }

    #[test]
    fn an_empty_mailbox_name_is_no_name() {
        let alert = parse("Email cannot be received for the mailbox .").expect("the receiving symptom");
        assert_eq!(alert.mailbox, None);
    }

    #[test]
    fn the_three_symptoms_with_mailbox_and_code() {
        let a = parse(SENDING).expect("recognised");
        assert_eq!(a.symptom, Some(Symptom::Sending));
        assert_eq!(a.mailbox.as_deref(), Some("Frank Miller"));
        assert_eq!(a.email_subject.as_deref(), Some("Test Message"));
        assert_eq!(
            a.error_code.as_deref(),
            Some("Http server returned 401 Unauthorized exception")
        );
        assert!(a.is_401());

        let a = parse(RECEIVING).expect("recognised");
        assert_eq!(a.symptom, Some(Symptom::Receiving));
        assert_eq!(
            a.mailbox.as_deref(),
            Some("frank.old@contoso.com"),
            "dots inside the name are kept"
        );
        assert!(a.is_401());

        let a = parse(ACT).expect("recognised, curly apostrophe and all");
        assert_eq!(a.symptom, Some(Symptom::AppointmentsContactsTasks));
        assert_eq!(
            a.mailbox.as_deref(),
            Some("Sam Jones"),
            "angle brackets are dropped"
        );
        assert_eq!(a.error_code, None);
        assert!(!a.is_401());
    }

    #[test]
    fn text_wrapped_over_lines_and_in_any_case_is_read() {
        let wrapped = "  EMAIL CANNOT BE RECEIVED FOR THE MAILBOX\n   Heidi Park.   Make sure that\nthe \
                       credentials are correct.\r\nEmail Server Error Code: ErrorInvalidLicense";
        let a = parse(wrapped).expect("recognised");
        assert_eq!(a.symptom, Some(Symptom::Receiving));
        assert_eq!(a.mailbox.as_deref(), Some("Heidi Park"));
        assert_eq!(a.error_code.as_deref(), Some("ErrorInvalidLicense"));
        assert!(!a.is_401());
    }

    #[test]
    fn declared_markers_are_noticed_in_any_case() {
        const MARKERS: [&str; 2] = [
            "NoUserFoundWithGivenClaims",
            "User does not exist in tenant with id",
        ];
        let a = parse_with_markers(
            &format!("{RECEIVING}\nDetails: nouserfoundwithgivenclaims"),
            &MARKERS,
        )
        .unwrap();
        assert_eq!(a.markers, ["NoUserFoundWithGivenClaims"]);
        let a = parse_with_markers("User does not exist in tenant with id '6f1d2c3b'.", &MARKERS)
            .expect("a marker alone is enough");
        assert!(a.markers.len() == 1 && a.symptom.is_none());
        assert!(parse_with_markers(SENDING, &MARKERS).unwrap().markers.is_empty());
        assert!(parse_with_markers("User does not exist in tenant with id", &[]).is_none());
    }

    #[test]
    fn the_registered_markers_are_the_ones_looked_for() {
        let declared: Vec<&str> = ssync_core::registered_checks()
            .unwrap()
            .iter()
            .flat_map(|r| r.meta().alert_markers.iter().copied())
            .collect();
        for marker in declared {
            let a = parse(&format!("Details: {marker}.")).expect("a registered marker is recognised");
            assert!(a.markers.contains(&marker), "{marker}");
        }
    }

    #[test]
    fn a_code_without_a_symptom_sentence_is_still_read() {
        let a = parse("Email Server Error Code: Http server returned 401 Unauthorized exception.").unwrap();
        assert_eq!(a.symptom, None);
        assert!(a.is_401());
    }

    #[test]
    fn unrelated_text_is_not_recognised() {
        for text in [
            "",
            "   \n ",
            "hello world",
            "The mailbox is fine.",
            "Email Server Error Code:   ",
        ] {
            assert_eq!(parse(text), None, "{text:?}");
        }
    }

    #[test]
    fn never_panics_on_odd_input() {
        let odd = [
            "cannot be sent",
            "\"cannot be sent",
            "\" cannot be sent specified in the mailbox ",
            "Email cannot be received for the mailbox ",
            "Email cannot be received for the mailbox İİİ. Make sure",
            "Appointments, contacts, and tasks can't be synchronized specified in the mailbox  are correct",
            "ÄÖÜ email server error code:ß",
            "\u{2019}\u{201C}\u{00A0}",
        ];
        for text in odd {
            let _ = parse(text);
        }
        let a = parse("Email cannot be received for the mailbox İİİ. Make sure").unwrap();
        assert_eq!(a.mailbox.as_deref(), Some("İİİ"));
    }
}
