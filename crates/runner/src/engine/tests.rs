//! The engine over `MemorySource` with small fake checks.

use ssync_core::prelude::*;
use ssync_core::records::{MailboxState, SyncStatus};
use ssync_core::{MemorySource, fixtures};

use super::*;

macro_rules! fake_check {
    ($ty:ident, $id:expr, $scope:expr, |$subject:ident| $body:expr) => {
        struct $ty;
        impl Declared for $ty {
            fn meta(&self) -> &'static CheckMeta {
                static META: CheckMeta = CheckMeta::new($id, "t")
                    .scope($scope)
                    .summary("s")
                    .explain("e")
                    .remediation("fix it")
                    .reads(&[DataNeed::Mailboxes]);
                &META
            }
        }
        #[async_trait]
        impl Check for $ty {
            async fn run(&self, _: &CheckContext<'_>, $subject: &Subject) -> Result<Outcome, SourceError> {
                $body
            }
        }
    };
}

fake_check!(FailsOnFrank, "acme-frank", Scope::Mailbox, |s| {
    let m = s.mailbox()?;
    Ok(if m.name == "frank" {
        Outcome::fail("frank is wrong")
    } else {
        Outcome::pass("fine")
    })
});
fake_check!(PanicsOnBob, "acme-panics", Scope::Mailbox, |s| {
    if s.mailbox()?.name == "bob" {
        panic!("bob broke me");
    }
    Ok(Outcome::pass("fine"))
});
fake_check!(CannotRead, "acme-cannot-read", Scope::Mailbox, |_s| {
    Err(SourceError::Permission {
        what: "mailboxSettings".into(),
        detail: "MailboxSettings.Read is missing".into(),
    })
});
fake_check!(ProfileWarns, "acme-profile", Scope::Profile, |s| {
    let p = s.profile()?;
    Ok(if p.id == "profile-onprem" {
        Outcome::warn("on-premises")
    } else {
        Outcome::skip("online")
    })
});
fake_check!(EnvPasses, "acme-env", Scope::Environment, |s| {
    Ok(Outcome::pass(format!("tenant {}", s.environment()?.tenant_id)))
});

fn source() -> MemorySource {
    source_builder().build()
}

fn source_builder() -> ssync_core::MemorySourceBuilder {
    let mut onprem = fixtures::mailbox("mb-rita", "rita@contoso.com");
    onprem.profile_id = Some("profile-onprem".into());
    // Rita's outgoing mail last failed; Wendy (inactive) failed everywhere.
    onprem.state.outgoing = Some(SyncStatus::Failure);
    let mut inactive = fixtures::mailbox("mb-wendy", "wendy@contoso.com");
    inactive.active = false;
    inactive.state = MailboxState::all(SyncStatus::Failure);
    let mut outlook = fixtures::mailbox("mb-victor", "victor@contoso.com");
    outlook.delivery = DeliveryMethods {
        incoming: 1,
        outgoing: 1,
        act: 0,
    };
    let mut only_act = fixtures::mailbox("mb-act", "act@contoso.com");
    only_act.delivery = DeliveryMethods {
        incoming: 0,
        outgoing: 0,
        act: 1,
    };
    let mut unused = fixtures::on_premises_profile("profile-unused", "https://x/EWS/Exchange.asmx");
    unused.name = "Unused".into();
    MemorySource::builder()
        .environment(fixtures::environment())
        .profile(fixtures::exchange_online_profile("profile-exo"))
        .profile(fixtures::on_premises_profile(
            "profile-onprem",
            "https://mail.contoso.com/EWS/Exchange.asmx",
        ))
        .profile(unused)
        .mailbox(fixtures::mailbox("mb-frank", "frank@contoso.com"))
        .mailbox(fixtures::mailbox("mb-bob", "bob@contoso.com"))
        .mailbox(onprem)
        .mailbox(inactive)
        .mailbox(outlook)
        .mailbox(only_act)
}

fn checks() -> Vec<&'static dyn Check> {
    vec![
        &EnvPasses,
        &ProfileWarns,
        &CannotRead,
        &PanicsOnBob,
        &FailsOnFrank,
    ]
}

async fn diagnose_with(selection: Selection) -> Result<Report, EngineError> {
    diagnose(
        &source(),
        &checks(),
        &selection,
        &EngineOptions::new("https://contoso.crm.dynamics.com", "test"),
    )
    .await
}

fn status_of<'a>(r: &'a Report, check: &str, subject: &str) -> Option<&'a Finding> {
    r.findings
        .iter()
        .find(|f| f.check == check && f.subject.name == subject)
}

#[tokio::test]
async fn default_selection_is_active_server_side_sync_mailboxes() {
    let r = diagnose_with(Selection::default()).await.unwrap();
    assert_eq!(
        r.summary.mailboxes, 4,
        "frank, bob, rita and the ACT-only mailbox"
    );
    let subjects: Vec<&str> = r
        .findings
        .iter()
        .filter(|f| f.check == "acme-frank")
        .map(|f| f.subject.name.as_str())
        .collect();
    assert_eq!(subjects, ["act", "bob", "frank", "rita"]);
}

#[tokio::test]
async fn a_panic_and_a_source_error_become_error_results_and_the_run_goes_on() {
    let r = diagnose_with(Selection::default()).await.unwrap();
    let panicked = status_of(&r, "acme-panics", "bob").unwrap();
    assert_eq!(panicked.status, Status::Error);
    assert!(panicked.message.contains("bob broke me"), "{}", panicked.message);
    assert_eq!(
        status_of(&r, "acme-panics", "frank").unwrap().status,
        Status::Pass
    );
    let unreadable = status_of(&r, "acme-cannot-read", "rita").unwrap();
    assert_eq!(unreadable.status, Status::Error);
    assert!(
        unreadable.message.contains("MailboxSettings.Read"),
        "{}",
        unreadable.message
    );
    assert_eq!(status_of(&r, "acme-frank", "frank").unwrap().status, Status::Fail);
    // 4 mailboxes x 3 mailbox checks + 2 profiles + 1 environment.
    assert_eq!(r.findings.len(), 4 * 3 + 2 + 1);
    assert_eq!(
        (
            r.summary.pass,
            r.summary.warn,
            r.summary.fail,
            r.summary.skip,
            r.summary.error
        ),
        (3 + 3 + 1, 1, 1, 1, 4 + 1)
    );
    assert!(r.has_failures());
}

#[tokio::test]
async fn profiles_are_those_of_selected_mailboxes_and_problems_list_their_mailboxes() {
    let r = diagnose_with(Selection::default()).await.unwrap();
    let profiles: Vec<&str> = r
        .findings
        .iter()
        .filter(|f| f.check == "acme-profile")
        .map(|f| f.subject.id.as_str())
        .collect();
    assert_eq!(
        profiles,
        ["profile-onprem", "profile-exo"],
        "sorted by name; the unused profile is not a subject"
    );
    let warned = &r
        .findings
        .iter()
        .find(|f| f.subject.id == "profile-onprem")
        .unwrap();
    assert_eq!(warned.mailboxes, ["rita@contoso.com"]);
    let skipped = &r.findings.iter().find(|f| f.subject.id == "profile-exo").unwrap();
    assert!(skipped.mailboxes.is_empty());
}

#[tokio::test]
async fn findings_are_sorted_by_check_then_subject_and_counted_per_check() {
    let r = diagnose_with(Selection::default()).await.unwrap();
    let keys: Vec<(String, String, String)> = r
        .findings
        .iter()
        .map(|f| (f.check.clone(), f.subject.kind.clone(), f.subject.name.clone()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    let ids: Vec<&str> = r.checks.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "acme-cannot-read",
            "acme-env",
            "acme-frank",
            "acme-panics",
            "acme-profile"
        ]
    );
    let frank = r.checks.iter().find(|c| c.id == "acme-frank").unwrap();
    assert_eq!(
        (frank.counts.mailboxes, frank.counts.pass, frank.counts.fail),
        (4, 3, 1)
    );
    assert_eq!(r.environment.tenant_id, fixtures::TENANT);
    assert_eq!(r.environment.source, "test");
}

#[tokio::test]
async fn failing_keeps_only_mailboxes_whose_last_sync_failed_within_the_selection() {
    let r = diagnose_with(Selection {
        checks: vec!["acme-frank".into()],
        failing: true,
        ..Selection::default()
    })
    .await
    .unwrap();
    let names: Vec<&str> = r.findings.iter().map(|f| f.subject.name.as_str()).collect();
    assert_eq!(names, ["rita"], "wendy fails too, but is not in the default run");
    let state = r.findings[0]
        .subject
        .state
        .as_ref()
        .expect("a mailbox subject carries its state");
    assert_eq!(state.outgoing, Some(SyncStatus::Failure));

    let r = diagnose_with(Selection {
        mailboxes: vec!["wendy@contoso.com".into(), "frank@contoso.com".into()],
        checks: vec!["acme-frank".into()],
        failing: true,
        ..Selection::default()
    })
    .await
    .unwrap();
    assert_eq!(
        r.summary.mailboxes, 1,
        "of the named mailboxes, only wendy failed"
    );
}

#[tokio::test]
async fn named_mailboxes_are_run_whatever_their_state() {
    let r = diagnose_with(Selection {
        mailboxes: vec!["WENDY@contoso.com".into(), "frank".into()],
        checks: vec!["acme-frank".into()],
        ..Selection::default()
    })
    .await
    .unwrap();
    let names: Vec<&str> = r.findings.iter().map(|f| f.subject.name.as_str()).collect();
    assert_eq!(names, ["frank", "wendy"]);
    assert_eq!(r.summary.mailboxes, 2);
}

#[tokio::test]
async fn an_unknown_mailbox_is_bad_input_naming_it() {
    let err = diagnose_with(Selection {
        mailboxes: vec!["frank@contoso.com".into(), "nobody@contoso.com".into()],
        ..Selection::default()
    })
    .await
    .unwrap_err();
    assert_eq!(err.exit_code(), 2);
    let text = err.to_string();
    assert!(
        text.contains("`nobody@contoso.com`") && !text.contains("`frank@contoso.com`"),
        "{text}"
    );
}

#[tokio::test]
async fn check_selection_and_unknown_ids() {
    let r = diagnose_with(Selection {
        skip_checks: vec!["acme-panics".into(), "acme-cannot-read".into()],
        ..Selection::default()
    })
    .await
    .unwrap();
    assert!(
        r.findings
            .iter()
            .all(|f| f.check != "acme-panics" && f.check != "acme-cannot-read")
    );
    assert_eq!(r.checks.len(), 3);

    let err = diagnose_with(Selection {
        checks: vec!["acme-fank".into()],
        ..Selection::default()
    })
    .await
    .unwrap_err();
    assert_eq!(err.exit_code(), 2);
    let text = err.to_string();
    assert!(
        text.contains("`acme-fank`") && text.contains("Did you mean `acme-frank`"),
        "{text}"
    );
    assert!(
        text.contains("acme-env, acme-profile"),
        "lists the known ids: {text}"
    );

    let err = diagnose_with(Selection {
        checks: vec!["acme-env".into()],
        skip_checks: vec!["acme-env".into()],
        ..Selection::default()
    })
    .await
    .unwrap_err();
    assert_eq!(err.exit_code(), 2);
}

#[tokio::test]
async fn prepare_receives_the_plan_and_only_all_runs_anticipate() {
    use std::sync::Mutex;
    struct Recording(MemorySource, Mutex<Option<RunPlan>>, Mutex<Vec<Vec<DataNeed>>>);
    #[async_trait]
    impl DataSource for Recording {
        async fn prepare(&self, plan: &RunPlan) -> Result<(), SourceError> {
            *self.1.lock().unwrap() = Some(plan.clone());
            Err(SourceError::Unsupported("no bulk reads here".into()))
        }
        async fn anticipate(&self, needs: &[DataNeed]) {
            self.2.lock().unwrap().push(needs.to_vec());
        }
        async fn environment(&self) -> Result<Environment, SourceError> {
            self.0.environment().await
        }
        async fn profiles(&self) -> Result<Vec<EmailServerProfile>, SourceError> {
            self.0.profiles().await
        }
        async fn profile(&self, id: &str) -> Result<Option<EmailServerProfile>, SourceError> {
            self.0.profile(id).await
        }
        async fn mailboxes(&self) -> Result<Vec<Mailbox>, SourceError> {
            self.0.mailboxes().await
        }
        async fn mailboxes_on_profile(&self, id: &str) -> Result<Vec<Mailbox>, SourceError> {
            self.0.mailboxes_on_profile(id).await
        }
        async fn system_user(&self, id: &str) -> Result<Option<SystemUser>, SourceError> {
            self.0.system_user(id).await
        }
        async fn queue(&self, id: &str) -> Result<Option<Queue>, SourceError> {
            self.0.queue(id).await
        }
        async fn entra_user_by_address(&self, a: &str) -> Result<Option<EntraUser>, SourceError> {
            self.0.entra_user_by_address(a).await
        }
        async fn entra_user_by_id(&self, id: &str) -> Result<Option<EntraUser>, SourceError> {
            self.0.entra_user_by_id(id).await
        }
        async fn mailbox_location(&self, id: &str) -> Result<MailboxLocation, SourceError> {
            self.0.mailbox_location(id).await
        }
        async fn deleted_users_matching(&self, a: &str) -> Result<Vec<DeletedUser>, SourceError> {
            self.0.deleted_users_matching(a).await
        }
        async fn domain_tenant(&self, d: &str) -> Result<Option<String>, SourceError> {
            self.0.domain_tenant(d).await
        }
        async fn ews_probe(&self, url: &str) -> Result<EwsProbe, SourceError> {
            self.0.ews_probe(url).await
        }
        async fn mailbox_alerts(&self, id: &str) -> Result<Vec<Alert>, SourceError> {
            self.0.mailbox_alerts(id).await
        }
        async fn raw_get(
            &self,
            s: ssync_core::RawService,
            p: &str,
        ) -> Result<serde_json::Value, SourceError> {
            self.0.raw_get(s, p).await
        }
    }
    let src = Recording(source(), Mutex::new(None), Mutex::new(Vec::new()));
    let checks: Vec<&dyn Check> = vec![&FailsOnFrank, &ProfileWarns];
    let report = diagnose(
        &src,
        &checks,
        &Selection::default(),
        &EngineOptions::new("u", "test"),
    )
    .await
    .expect("a failed prefetch does not stop the run");
    assert_eq!(report.summary.fail, 1);
    let plan = src.1.lock().unwrap().clone().expect("prepare was called");
    assert_eq!(plan.mailbox_ids.len(), 4);
    assert_eq!(plan.profile_ids, ["profile-exo", "profile-onprem"]);
    assert_eq!(plan.needs, [DataNeed::Mailboxes]);
    assert_eq!(
        *src.2.lock().unwrap(),
        std::slice::from_ref(&plan.needs),
        "--all anticipates"
    );

    // Named mailboxes are looked up, not listed: nothing to anticipate.
    let one = Selection {
        mailboxes: vec!["frank@contoso.com".into()],
        ..Selection::default()
    };
    diagnose(&src, &checks, &one, &EngineOptions::new("u", "test"))
        .await
        .unwrap();
    assert_eq!(src.2.lock().unwrap().len(), 1, "--mailbox does not anticipate");
}

#[tokio::test]
async fn an_unreadable_mailbox_list_means_the_run_cannot_happen() {
    let src = MemorySource::builder()
        .environment(fixtures::environment())
        .failing(
            DataNeed::Mailboxes,
            SourceError::Unreachable {
                service: "Dataverse".into(),
                detail: "connection refused".into(),
            },
        )
        .build();
    let err = diagnose(
        &src,
        &checks(),
        &Selection::default(),
        &EngineOptions::new("u", "test"),
    )
    .await
    .unwrap_err();
    assert_eq!(err.exit_code(), 3);
    assert!(err.to_string().contains("connection refused"));
}

#[tokio::test]
async fn passes_are_counted_but_not_kept_unless_asked() {
    let kept = diagnose_with(Selection::default()).await.unwrap();
    let opts = EngineOptions {
        keep_passing: false,
        ..EngineOptions::new("u", "test")
    };
    let counted = diagnose(&source(), &checks(), &Selection::default(), &opts)
        .await
        .unwrap();

    assert!(
        kept.findings.iter().any(|f| f.status == Status::Pass),
        "the fixture has passes"
    );
    assert!(counted.findings.iter().all(|f| f.status != Status::Pass));
    assert_eq!(
        counted.findings.len(),
        kept.findings.iter().filter(|f| f.status != Status::Pass).count()
    );
    // Same counts either way, per run and per check.
    assert_eq!(counted.summary, kept.summary);
    let per_check = |r: &Report| {
        r.checks
            .iter()
            .map(|c| (c.id.clone(), c.counts))
            .collect::<Vec<_>>()
    };
    assert_eq!(per_check(&counted), per_check(&kept));
}

/// 3,000 mailboxes, every fourth named frank (a `fail` for `FailsOnFrank`).
fn large_source() -> MemorySource {
    let mut builder = MemorySource::builder()
        .environment(fixtures::environment())
        .profile(fixtures::exchange_online_profile("profile-exo"));
    for i in 0..3_000 {
        let name = if i % 4 == 0 { "frank" } else { "someone" };
        let mut m = fixtures::mailbox(&format!("mb-{i:05}"), &format!("{name}{i}@contoso.com"));
        m.name = name.into();
        builder = builder.mailbox(m);
    }
    builder.build()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_runs_spread_over_threads_give_the_same_report_as_one_thread() {
    let checks: Vec<&dyn Check> = vec![&FailsOnFrank, &CannotRead, &EnvPasses];
    let opts = EngineOptions {
        keep_passing: false,
        ..EngineOptions::new("u", "test")
    };
    let spread = diagnose(&large_source(), &checks, &Selection::default(), &opts)
        .await
        .unwrap();
    // The same run on a current-thread runtime, where the engine keeps to one thread.
    let single = std::thread::spawn(move || {
        let checks: Vec<&dyn Check> = vec![&FailsOnFrank, &CannotRead, &EnvPasses];
        let opts = EngineOptions {
            keep_passing: false,
            ..EngineOptions::new("u", "test")
        };
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(diagnose(&large_source(), &checks, &Selection::default(), &opts))
            .unwrap()
    })
    .join()
    .unwrap();

    assert_eq!(spread.summary.fail, 750);
    assert_eq!(spread.summary.error, 3_000);
    assert_eq!(spread.summary.pass, 2_251);
    assert_eq!(spread.summary, single.summary);
    let key = |r: &Report| -> Vec<(String, String, Status)> {
        r.findings
            .iter()
            .map(|f| (f.check.clone(), f.subject.id.clone(), f.status))
            .collect()
    };
    assert_eq!(key(&spread), key(&single), "same findings in the same order");
    let counts = |r: &Report| -> Vec<(String, Summary)> {
        r.checks.iter().map(|c| (c.id.clone(), c.counts)).collect()
    };
    assert_eq!(counts(&spread), counts(&single));
}

fn malformed(detail: &str) -> SourceError {
    SourceError::Malformed {
        service: "Dataverse".into(),
        detail: detail.into(),
    }
}

#[tokio::test]
async fn unreadable_profiles_cost_only_the_profile_results_and_are_listed() {
    let source = source_builder()
        .failing(
            DataNeed::Profiles,
            malformed("GET /emailserverprofiles: cut short"),
        )
        .build();
    let r = diagnose(
        &source,
        &checks(),
        &Selection::default(),
        &EngineOptions::new("https://contoso.crm.dynamics.com", "test"),
    )
    .await
    .expect("the run goes on without the profiles");
    let profile_results: Vec<&Finding> = r.findings.iter().filter(|f| f.check == "acme-profile").collect();
    assert_eq!(profile_results.len(), 2, "one result per profile of the run");
    for f in &profile_results {
        assert_eq!(f.status, Status::Error);
        assert!(f.message.contains("cut short"), "{}", f.message);
    }
    let onprem = profile_results
        .iter()
        .find(|f| f.subject.id == "profile-onprem")
        .unwrap();
    assert_eq!(onprem.mailboxes, ["rita@contoso.com"]);
    assert_eq!(status_of(&r, "acme-frank", "frank").unwrap().status, Status::Fail);
    assert_eq!(status_of(&r, "acme-env", "").map(|f| f.status), None);
    assert_eq!(
        r.checks
            .iter()
            .find(|c| c.id == "acme-profile")
            .unwrap()
            .counts
            .error,
        2
    );
    assert_eq!(r.failed_reads.len(), 1, "{:?}", r.failed_reads);
    assert_eq!(r.failed_reads[0].read, "the e-mail server profiles");
    assert!(r.failed_reads[0].reason.contains("cut short"));
}

#[tokio::test]
async fn an_unreadable_environment_costs_only_the_environment_results() {
    let source = source_builder()
        .failing(
            DataNeed::Environment,
            malformed("GET /RetrieveCurrentOrganization: not JSON"),
        )
        .build();
    let r = diagnose(
        &source,
        &checks(),
        &Selection::default(),
        &EngineOptions::new("https://contoso.crm.dynamics.com", "test"),
    )
    .await
    .expect("the run goes on without the environment");
    let env: Vec<&Finding> = r.findings.iter().filter(|f| f.check == "acme-env").collect();
    assert_eq!(env.len(), 1);
    assert_eq!(env[0].status, Status::Error);
    assert!(env[0].message.contains("not JSON"), "{}", env[0].message);
    assert_eq!(status_of(&r, "acme-frank", "frank").unwrap().status, Status::Fail);
    assert!(r.failed_reads.iter().any(|f| f.read.contains("environment")));
}

#[tokio::test]
async fn a_run_without_failed_reads_lists_none() {
    let r = diagnose_with(Selection::default()).await.unwrap();
    assert!(r.failed_reads.is_empty(), "{:?}", r.failed_reads);
}

/// Tells, as its message, which checks its context says the run selected.
struct NamesSelected;
impl Declared for NamesSelected {
    fn meta(&self) -> &'static CheckMeta {
        static META: CheckMeta = CheckMeta::new("acme-names-selected", "t")
            .scope(Scope::Environment)
            .summary("s")
            .explain("e")
            .remediation("r");
        &META
    }
}
#[async_trait]
impl Check for NamesSelected {
    async fn run(&self, ctx: &CheckContext<'_>, _: &Subject) -> Result<Outcome, SourceError> {
        let ids: Vec<&str> = ctx.selected.iter().map(|m| m.id).collect();
        Ok(Outcome::warn(ids.join(",")))
    }
}

#[tokio::test]
async fn every_check_is_told_which_checks_the_run_selected() {
    let all: Vec<&'static dyn Check> = vec![&NamesSelected, &EnvPasses, &ProfileWarns, &FailsOnFrank];
    let selection = Selection {
        skip_checks: vec!["acme-profile".into()],
        ..Selection::default()
    };
    let opts = EngineOptions::new("https://contoso.crm.dynamics.com", "test");
    let r = diagnose(&source(), &all, &selection, &opts).await.unwrap();
    let f = r
        .findings
        .iter()
        .find(|f| f.check == "acme-names-selected")
        .expect("its finding");
    let mut ids: Vec<&str> = f.message.split(',').collect();
    ids.sort_unstable();
    assert_eq!(ids, ["acme-env", "acme-frank", "acme-names-selected"]);
}
