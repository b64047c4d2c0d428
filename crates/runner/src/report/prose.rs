//! A check's remediation Markdown, and nested evidence, for each kind of report: HTML (real
//! lists and emphasis), and plain text wrapped to a width by display columns (so accents and
//! wide characters do not break the layout). Parsing is pulldown-cmark's CommonMark; wrapping
//! is textwrap's with unicode-width.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use serde_json::Value;

use super::view;

/// Remediation Markdown as HTML. Raw HTML in the text is escaped, not passed through: a check's
/// own text may quote data from the environment.
pub fn to_html(md: &str) -> String {
    let events = Parser::new_ext(md, Options::empty()).map(|e| match e {
        Event::Html(t) | Event::InlineHtml(t) => Event::Text(t),
        other => other,
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

/// One block of flattened Markdown: the text to wrap, the prefix of its first line (indent and
/// list marker), the indent of the lines after it, and whether to keep its lines as they are
/// (code).
#[derive(Debug, PartialEq)]
struct Block {
    first: String,
    rest: usize,
    text: String,
    verbatim: bool,
}

/// Remediation Markdown as plain text lines no wider than `width` columns (a word longer than
/// the line, such as a URL, is kept whole), every line indented by `indent`: paragraphs and
/// list items with hanging indents, emphasis markers dropped, links followed by their URL.
pub fn to_text(md: &str, indent: usize, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for block in blocks(md) {
        let pad = " ".repeat(indent);
        if block.verbatim {
            lines.extend(
                block
                    .text
                    .lines()
                    .map(|l| format!("{pad}{}{l}", " ".repeat(block.rest))),
            );
            continue;
        }
        let first = format!("{pad}{}", block.first);
        let rest = format!("{pad}{}", " ".repeat(block.rest));
        lines.extend(wrap(&block.text, &first, &rest, width));
    }
    lines
}

/// `text` wrapped to `width` display columns, the first line after `first`, the others after
/// `rest`.
pub fn wrap(text: &str, first: &str, rest: &str, width: usize) -> Vec<String> {
    let options = textwrap::Options::new(width)
        .initial_indent(first)
        .subsequent_indent(rest)
        .break_words(false)
        // Ids, addresses and ticket numbers carry hyphens; a line never breaks inside them.
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    textwrap::wrap(text, options)
        .into_iter()
        .map(|l| l.trim_end().to_owned())
        .collect()
}

fn blocks(md: &str) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    // One entry per open list: the next item number (None for bullets).
    let mut lists: Vec<Option<u64>> = Vec::new();
    let mut current: Option<Block> = None;
    let mut link_urls: Vec<String> = Vec::new();
    let mut in_code = false;
    let depth_indent = |lists: &Vec<Option<u64>>| lists.len().saturating_sub(1) * 3;
    let flush = |current: &mut Option<Block>, out: &mut Vec<Block>| {
        if let Some(b) = current.take()
            && !b.text.trim().is_empty()
        {
            out.push(b);
        }
    };
    for event in Parser::new_ext(md, Options::empty()) {
        match event {
            Event::Start(Tag::List(start)) => {
                flush(&mut current, &mut out);
                lists.push(start);
            }
            Event::End(TagEnd::List(_)) => {
                flush(&mut current, &mut out);
                lists.pop();
            }
            Event::Start(Tag::Item) => {
                flush(&mut current, &mut out);
                let base = depth_indent(&lists);
                let marker = match lists.last_mut() {
                    Some(Some(n)) => {
                        let m = format!("{n}. ");
                        *n += 1;
                        m
                    }
                    _ => "- ".to_owned(),
                };
                current = Some(Block {
                    first: format!("{}{marker}", " ".repeat(base)),
                    rest: base + marker.chars().count(),
                    text: String::new(),
                    verbatim: false,
                });
            }
            Event::Start(Tag::Paragraph | Tag::Heading { .. }) => {
                // A paragraph inside a list item continues the item's block when it is empty
                // (tight lists have none; loose ones open one per item).
                if current.as_ref().is_some_and(|b| !b.text.is_empty() || b.verbatim) {
                    flush(&mut current, &mut out);
                }
                if current.is_none() {
                    let rest = if lists.is_empty() {
                        0
                    } else {
                        depth_indent(&lists) + 3
                    };
                    current = Some(Block {
                        first: " ".repeat(rest),
                        rest,
                        text: String::new(),
                        verbatim: false,
                    });
                }
            }
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_)) => flush(&mut current, &mut out),
            Event::Start(Tag::CodeBlock(_)) => {
                flush(&mut current, &mut out);
                in_code = true;
                let rest = if lists.is_empty() {
                    2
                } else {
                    depth_indent(&lists) + 5
                };
                current = Some(Block {
                    first: String::new(),
                    rest,
                    text: String::new(),
                    verbatim: true,
                });
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code = false;
                flush(&mut current, &mut out);
            }
            Event::Start(Tag::Link { dest_url, .. }) => link_urls.push(dest_url.to_string()),
            Event::End(TagEnd::Link) => {
                if let (Some(url), Some(b)) = (link_urls.pop(), current.as_mut())
                    && !b.text.ends_with(url.as_str())
                {
                    b.text.push_str(&format!(" ({url})"));
                }
            }
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                let b = current.get_or_insert_with(|| Block {
                    first: String::new(),
                    rest: 0,
                    text: String::new(),
                    verbatim: in_code,
                });
                b.text.push_str(&t);
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(b) = current.as_mut() {
                    b.text.push(' ');
                }
            }
            _ => {}
        }
    }
    flush(&mut current, &mut out);
    out
}

/// Evidence as `key: value` lines, nested objects and lists of objects indented under their
/// key (two spaces a level), never as JSON.
pub fn evidence_lines(evidence: &serde_json::Map<String, Value>) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (key, value) in evidence {
        push_value(&mut out, 0, key, value);
    }
    out
}

fn push_value(out: &mut Vec<(usize, String)>, depth: usize, key: &str, value: &Value) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push((depth, format!("{key}:")));
            for (k, v) in map {
                push_value(out, depth + 1, k, v);
            }
        }
        Value::Array(items) if items.iter().any(|v| v.is_object() || v.is_array()) => {
            out.push((depth, format!("{key}:")));
            for (i, item) in items.iter().enumerate() {
                push_value(out, depth + 1, &format!("{}", i + 1), item);
            }
        }
        scalar => out.push((depth, format!("{key}: {}", view::evidence_text(scalar)))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const EWS_FIX: &str = include_str!("../../../checks/ews-basic-auth-disabled/remediation.md");

    #[test]
    fn lists_and_emphasis_become_html_and_raw_html_is_escaped() {
        let html = to_html("Do:\n\n1. **Settings → Email**\n2. *Success*\n\n<script>x</script>");
        assert!(html.contains("<ol>") && html.contains("<li><strong>Settings → Email</strong></li>"));
        assert!(html.contains("<em>Success</em>"));
        assert!(!html.contains("<script>") && html.contains("&lt;script&gt;"));
    }

    #[test]
    fn text_keeps_the_structure_of_a_two_way_fix_within_the_width() {
        let lines = to_text(EWS_FIX, 4, 60);
        assert!(lines.iter().all(|l| !l.contains("**")), "{lines:#?}");
        let a = lines
            .iter()
            .position(|l| l.trim_start().starts_with("A. Turn on"))
            .unwrap();
        let b = lines
            .iter()
            .position(|l| l.trim_start().starts_with("B. Or change"))
            .unwrap();
        let a_steps = lines[a..b]
            .iter()
            .filter(|l| l.starts_with("    1. ") || l.starts_with("    2. "))
            .count();
        assert!(a_steps >= 2, "A keeps its numbered steps: {lines:#?}");
        for l in &lines {
            let unbreakable = l.split_whitespace().any(|w| w.chars().count() > 40);
            assert!(
                unbreakable || textwrap::core::display_width(l) <= 60,
                "too wide: {l}"
            );
        }
        let continued = lines
            .iter()
            .position(|l| l.starts_with("    1. On an Exchange server"))
            .unwrap();
        assert!(
            lines[continued + 1].starts_with("       "),
            "hanging indent under the item text"
        );
    }

    #[test]
    fn wrapping_counts_display_width_not_bytes() {
        let lines = wrap(&"Größe ".repeat(20), "", "", 30);
        assert!(lines.iter().all(|l| textwrap::core::display_width(l) <= 30));
        assert!(
            lines[0].chars().count() > 24,
            "accents are one column each: {lines:?}"
        );
    }

    #[test]
    fn nested_evidence_is_indented_key_value_lines() {
        let ev = json!({"plans": [{"name": "Exchange Foundation (no mailbox)", "status": "Success"}],
            "profile": {"auth": "Basic", "offered": ["NTLM", "Negotiate"]}, "count": 2});
        let lines = evidence_lines(ev.as_object().unwrap());
        assert!(lines.contains(&(0, "plans:".into())));
        assert!(lines.contains(&(2, "name: Exchange Foundation (no mailbox)".into())));
        assert!(lines.contains(&(1, "offered: NTLM, Negotiate".into())));
        assert!(lines.iter().all(|(_, l)| !l.contains('{')), "{lines:?}");
    }
}
