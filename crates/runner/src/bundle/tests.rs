use ssync_core::{Facts, fixtures};

use super::*;
use crate::cli::SelectionArgs;
use crate::commands::effective_selection;

fn facts() -> Facts {
    let mut facts = Facts {
        environment: Some(fixtures::environment()),
        ..Facts::default()
    };
    let mut frank = fixtures::mailbox("mb-1", "frank@fabrikam.com");
    frank.name = "Frank Miller".into();
    facts.mailboxes.push(frank);
    facts
        .mailboxes
        .push(fixtures::mailbox("mb-2", "alice@contoso.com"));
    facts
        .entra_users
        .push(fixtures::entra_user("u-1", "frank@fabrikam.com"));
    facts
}

fn collected(all: bool) -> Collected {
    let facts = facts();
    Collected {
        org_url: facts
            .environment
            .as_ref()
            .map(|e| e.url.clone())
            .unwrap_or_default(),
        facts,
        all,
        mailbox_ids: vec!["mb-1".into()],
        checks: vec!["mailbox-address-mismatch".into()],
    }
}

#[test]
fn a_written_bundle_reads_back_unchanged() {
    let (bundle, table) = build(collected(false), false);
    assert!(table.is_none());
    assert_eq!(bundle.schema, SCHEMA);
    assert_eq!(bundle.environment.tenant_id.as_deref(), Some(fixtures::TENANT));
    assert_eq!(
        bundle.selection.mailboxes,
        vec![SelectedMailbox {
            id: "mb-1".into(),
            address: "frank@fabrikam.com".into()
        }]
    );
    assert_eq!(read(&bundle.to_json()), Ok(bundle.clone()));
    assert_eq!(bundle.mailbox_values(), vec!["frank@fabrikam.com".to_owned()]);
    let (all, _) = build(collected(true), false);
    assert!(all.mailbox_values().is_empty());
}

#[test]
fn redaction_reaches_the_header_and_returns_the_table_separately() {
    let (bundle, table) = build(collected(false), true);
    let table = table.expect("a redacted bundle comes with its table");
    assert!(bundle.redacted);
    let text = bundle.to_json();
    for personal in [
        "frank@fabrikam.com",
        "alice@contoso.com",
        "Frank Miller",
        "fabrikam",
    ] {
        assert!(
            !text.to_lowercase().contains(&personal.to_lowercase()),
            "{personal} in {text}"
        );
    }
    let pseudo = &table["frank@fabrikam.com"];
    assert_eq!(bundle.selection.mailboxes[0].id, "mb-1");
    assert_eq!(&bundle.selection.mailboxes[0].address, pseudo);
    // The environment's host is pseudonymised in the header as in the facts.
    let env_url = &bundle.facts.environment.as_ref().expect("environment").url;
    assert_eq!(&bundle.environment.org_url, env_url);
    assert!(!text.contains(&fixtures::environment().url), "{text}");
    // The table itself is not in the bundle.
    assert!(!text.contains("frank@fabrikam.com"));
}

#[test]
fn damage_is_named_by_line_column_and_path() {
    let (bundle, _) = build(collected(false), false);
    let text = bundle.to_json();

    let cut = &text[..text.len() / 2];
    match read(cut) {
        Err(BundleError::NotJson { line, .. }) => assert!(line > 1),
        other => panic!("truncated: {other:?}"),
    }
    assert!(matches!(read("hello"), Err(BundleError::NotJson { line: 1, .. })));
    assert!(matches!(read(""), Err(BundleError::NotJson { .. })));

    let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
    value["facts"]["mailboxes"][1]["active"] = serde_json::json!("yes");
    let damaged = serde_json::to_string_pretty(&value).unwrap();
    match read(&damaged) {
        Err(err @ BundleError::Invalid { .. }) => {
            let BundleError::Invalid { path, line, .. } = &err else {
                unreachable!()
            };
            assert_eq!(path, "facts.mailboxes[1].active");
            let expected_line = damaged
                .lines()
                .position(|l| l.contains("\"active\": \"yes\""))
                .unwrap()
                + 1;
            assert_eq!(*line, expected_line);
            assert!(err.to_string().contains("facts.mailboxes[1].active"), "{err}");
        }
        other => panic!("wrong type: {other:?}"),
    }

    value = serde_json::from_str(&text).unwrap();
    value.as_object_mut().unwrap().remove("facts");
    match read(&value.to_string()) {
        Err(BundleError::Invalid { message, .. }) => assert!(message.contains("facts"), "{message}"),
        other => panic!("missing field: {other:?}"),
    }
}

#[test]
fn other_schemas_get_a_clear_answer() {
    let (bundle, _) = build(collected(false), false);
    let with_schema = |schema: serde_json::Value| {
        let mut v: serde_json::Value = serde_json::from_str(&bundle.to_json()).unwrap();
        v["schema"] = schema;
        read(&v.to_string())
    };
    assert_eq!(
        with_schema("ssync-doctor/bundle/v2".into()),
        Err(BundleError::NewerVersion { found: 2 })
    );
    assert!(
        read(r#"{"schema":"ssync-doctor/bundle/v2"}"#)
            .unwrap_err()
            .to_string()
            .contains("newer ssync-doctor")
    );
    assert_eq!(
        with_schema("ssync-doctor/report/v1".into()),
        Err(BundleError::ForeignSchema("ssync-doctor/report/v1".into()))
    );
    assert!(matches!(
        with_schema("ssync-doctor/bundle/v0".into()),
        Err(BundleError::ForeignSchema(_))
    ));
    assert_eq!(with_schema(serde_json::json!(1)), Err(BundleError::NotABundle));
    assert_eq!(read("{}"), Err(BundleError::NotABundle));
    assert_eq!(read("[1, 2]"), Err(BundleError::NotABundle));
    // Fields added within v1 by a later version are ignored.
    let mut v: serde_json::Value = serde_json::from_str(&bundle.to_json()).unwrap();
    v["comment"] = "added later".into();
    assert_eq!(read(&v.to_string()), Ok(bundle));
}

#[test]
fn run_from_repeats_the_collections_selection_unless_told_otherwise() {
    let (mut bundle, _) = build(collected(false), false);
    bundle.selection.checks = vec!["mailbox-address-mismatch".into(), "retired-check".into()];
    let known = ["mailbox-address-mismatch", "recreated-user"];

    let s = effective_selection(&bundle, &SelectionArgs::default(), &known).unwrap();
    assert_eq!(s.mailbox, vec!["frank@fabrikam.com".to_owned()]);
    assert_eq!(s.checks, vec!["mailbox-address-mismatch".to_owned()]);

    let given = SelectionArgs {
        all: true,
        checks: vec!["recreated-user".into()],
        ..SelectionArgs::default()
    };
    let s = effective_selection(&bundle, &given, &known).unwrap();
    assert!(s.mailbox.is_empty());
    assert_eq!(s.checks, vec!["recreated-user".to_owned()]);

    bundle.selection.checks = vec!["retired-check".into()];
    let err = effective_selection(&bundle, &SelectionArgs::default(), &known).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert!(err.to_string().contains("retired-check"), "{err}");
}
