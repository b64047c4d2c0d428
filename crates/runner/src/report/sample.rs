//! A realistic sample [`Report`], shaped like a `demo` run over the `contoso` scenario
//! (`docs/contoso.md`) plus one `error` result, so that every status appears. The format
//! tests, the browser check of the HTML report (`scripts/check-html.sh`) and the screenshot in
//! `docs/img/` all render this one report.
//!
//! Check metadata comes from the checks linked into this crate; findings are written here by
//! hand so that the sample does not depend on the simulated tenant.

use serde_json::{Map, Value, json};
use ssync_core::records::{EmailApproval, MailboxState, SyncStatus};
use ssync_core::{Finding, Status, SubjectRef, Summary};

use super::{CheckRun, EnvironmentInfo, Report, SCHEMA, Tool};

const TENANT: &str = "6f1d2c3b-4a59-4e8f-9b0a-1c2d3e4f5a6b";

/// Mailbox-scoped checks and their expected status per mailbox, as in `docs/contoso.md`
/// (`P` pass, `W` warn, `F` fail, `S` skip, `E` error). Column order: address mismatch,
/// hybrid profile, licence, cross-tenant, recreated user.
const MAILBOX_CHECKS: [&str; 5] = [
    "mailbox-address-mismatch",
    "hybrid-profile-for-online-mailbox",
    "missing-exchange-online-license",
    "cross-tenant-exchange",
    "recreated-user",
];

const MAILBOXES: &[(&str, &str, &str)] = &[
    ("Alice Wong", "alice@contoso.com", "PSPPP"),
    ("Bob Kelly", "bob@contoso.com", "PSPPP"),
    ("Heidi Park", "Heidi.Park@Contoso.com", "PSPPP"),
    ("Frank Miller", "frank.old@contoso.com", "FSPPP"),
    ("Grace Hopper", "g.hopper@contoso.com", "WSPPP"),
    ("Ingrid Berg", "ingrid@contoso.com", "PFPSP"),
    ("Ivan Petrov", "ivan@contoso.com", "PPSSP"),
    ("Judy Lee", "judy@contoso.com", "PSFPP"),
    ("Kevin Brown", "kevin@contoso.com", "PSFPP"),
    ("Laura Chen", "laura@contoso.com", "PSFPP"),
    ("Mallory Stone", "mallory@contoso.com", "PSWPP"),
    ("Nina Rossi", "nina@contoso.com", "PSFPP"),
    ("Support", "support@contoso.com", "PSPPP"),
    ("Boardroom", "boardroom@contoso.com", "PSPPP"),
    ("Oscar Diaz", "oscar@fabrikam.com", "SSSFP"),
    ("Peter Novak", "peter@fabrikam.com", "SSSPP"),
    ("Quentin Blake", "quentin@contoso.com", "PSSSP"),
    ("Rita Moreno", "rita@contoso.com", "PSSSP"),
    ("Sam Taylor", "sam@contoso.com", "PSPPF"),
    ("Uma Thurman", "uma@contoso.com", "PSPSE"),
];

/// Profile-scoped checks: (profile, mailboxes on it, EWS status, Basic-to-EXO status).
const PROFILES: &[(&str, &[&str], char, char)] = &[
    (
        "Exchange Hybrid",
        &["ingrid@contoso.com", "ivan@contoso.com"],
        'S',
        'S',
    ),
    ("Exchange On-Premises (Basic)", &["rita@contoso.com"], 'P', 'S'),
    (
        "Exchange On-Premises (NTLM only)",
        &["quentin@contoso.com"],
        'F',
        'S',
    ),
    ("Fabrikam cross-tenant OAuth", &["peter@fabrikam.com"], 'S', 'P'),
    ("Legacy Exchange Online (Basic)", &["uma@contoso.com"], 'S', 'F'),
    (
        "Microsoft Exchange Online",
        &["alice@contoso.com", "bob@contoso.com"],
        'S',
        'P',
    ),
];

/// The sample report. `include_passing` has no effect here: the report always holds every
/// result, as the engine's does.
pub fn report() -> Report {
    let mut findings = Vec::new();
    for (name, address, statuses) in MAILBOXES {
        for (check, code) in MAILBOX_CHECKS.iter().zip(statuses.chars()) {
            let subject = SubjectRef {
                state: Some(sample_state(statuses)),
                ..SubjectRef::named("mailbox", subject_id(address), *name)
            };
            findings.push(finding(check, subject, vec![(*address).into()], code));
        }
    }
    for (name, mailboxes, ews, exob) in PROFILES {
        for (check, code) in [
            ("ews-basic-auth-disabled", *ews),
            ("exchange-online-basic-auth", *exob),
        ] {
            let subject = SubjectRef::named("profile", subject_id(name), *name);
            let affected = mailboxes.iter().map(|m| (*m).to_owned()).collect();
            findings.push(finding(check, subject, affected, code));
        }
    }
    findings.sort_by(|a, b| (&a.check, &a.subject).cmp(&(&b.check, &b.subject)));

    let checks = checks_of(&findings);
    let mut summary = Summary {
        mailboxes: MAILBOXES.len(),
        ..Summary::default()
    };
    for f in &findings {
        summary.add(f.status);
    }
    Report {
        schema: SCHEMA.into(),
        tool: Tool::this(),
        environment: EnvironmentInfo {
            org_url: "https://contoso.crm.dynamics.com".into(),
            tenant_id: TENANT.into(),
            source: "demo".into(),
        },
        started_at: "2026-11-28T09:00:00Z".into(),
        finished_at: "2026-11-28T09:00:04Z".into(),
        summary,
        checks,
        findings,
        expired_waivers: Vec::new(),
        failed_reads: Vec::new(),
        configuration: Default::default(),
    }
}

/// The sample report seen through two waivers, as on 2026-11-28: a current one that waives
/// Oscar Diaz's cross-tenant `fail` (`*@fabrikam.com`, until 2027-03-31) and one that expired
/// on 2026-10-31 (Judy Lee's licence), which no longer applies and is listed as expired.
pub fn waived_report() -> Report {
    use crate::config::{WaiverRule, waiver};
    let mut report = report();
    let rule = |check: &str, subject: &str, rationale: &str, expires| WaiverRule {
        check: check.into(),
        subject: subject.into(),
        rationale: rationale.into(),
        expires: waiver::parse_date(expires),
        origin: "ssync-doctor.toml".into(),
        reason: None,
    };
    let rules = [
        rule(
            "cross-tenant-exchange",
            "*@fabrikam.com",
            "Fabrikam mailboxes move to the Contoso tenant in March (CHG-1042).",
            "2027-03-31",
        ),
        rule(
            "missing-exchange-online-license",
            "judy@contoso.com",
            "Licence ordered, PO 7781.",
            "2026-10-31",
        ),
    ];
    let today = waiver::parse_date("2026-11-28").unwrap_or_else(waiver::today);
    crate::config::RunRules {
        file: Some("ssync-doctor.toml".into()),
        waivers: rules.to_vec(),
    }
    .apply(&mut report, today);
    report
}

/// One `CheckRun` per check id in `findings`, with metadata from the registry when the check
/// is linked (it always is in this crate) and its counts.
fn checks_of(findings: &[Finding]) -> Vec<CheckRun> {
    let registered = ssync_core::registered_checks().unwrap_or_default();
    let mut ids: Vec<&str> = findings.iter().map(|f| f.check.as_str()).collect();
    ids.dedup();
    ids.into_iter()
        .filter_map(|id| {
            let meta = registered.iter().map(|r| r.meta()).find(|m| m.id == id)?;
            let mut counts = Summary::default();
            for f in findings.iter().filter(|f| f.check == id) {
                counts.add(f.status);
                counts.mailboxes += 1;
            }
            Some(CheckRun::from_meta(meta, counts))
        })
        .collect()
}

/// A stable, GUID-shaped id derived from a name, so the sample stays deterministic.
fn subject_id(name: &str) -> String {
    let h = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        h >> 32,
        (h >> 16) & 0xffff,
        h & 0xfff,
        (h >> 20) & 0xfff,
        h & 0xffff_ffff_ffff
    )
}

fn finding(check: &str, subject: SubjectRef, mailboxes: Vec<String>, code: char) -> Finding {
    let registered = ssync_core::registered_checks().unwrap_or_default();
    let meta = registered.iter().map(|r| r.meta()).find(|m| m.id == check);
    let status = match code {
        'W' => Status::Warn,
        'F' => Status::Fail,
        'S' => Status::Skip,
        'E' => Status::Error,
        _ => Status::Pass,
    };
    let (message, evidence) = story(
        check,
        &subject,
        mailboxes.first().map_or("", String::as_str),
        status,
    );
    let mut outcome = ssync_core::Outcome::new(status, message);
    outcome.evidence = evidence;
    if status == Status::Error {
        outcome = outcome
            .with_remediation("Grant the application the permission named in the evidence, then run again.");
    }
    outcome = outcome.with_mailboxes(mailboxes);
    // A check this binary does not carry still gets its row, under its own id.
    static UNKNOWN: ssync_core::CheckMeta = ssync_core::CheckMeta::new("unknown", "");
    let mut finding = Finding::about(meta.unwrap_or(&UNKNOWN), subject, outcome);
    finding.check = check.into();
    finding
}

/// The message and evidence of one sample result.
fn story(check: &str, subject: &SubjectRef, address: &str, status: Status) -> (String, Map<String, Value>) {
    let name = &subject.name;
    let (message, evidence) = match (check, status) {
        ("mailbox-address-mismatch", Status::Fail) => (
            format!("The mailbox of {name} uses {address}, which is not an address of its Exchange mailbox."),
            json!({ "dataverse": address, "exchange_primary": "frank@contoso.com",
                    "exchange_addresses": ["frank@contoso.com", "frank.miller@contoso.com"] }),
        ),
        ("mailbox-address-mismatch", Status::Warn) => (
            format!("The mailbox of {name} uses {address}, only a secondary alias of the Exchange mailbox."),
            json!({ "dataverse": address, "exchange_primary": "grace@contoso.com" }),
        ),
        ("hybrid-profile-for-online-mailbox", Status::Fail) => (
            format!("The mailbox of {name} uses the Exchange Hybrid profile but lives in Exchange Online."),
            json!({ "profile": "Exchange Hybrid", "servertype": 2, "mailbox_location": "exchangeOnline" }),
        ),
        ("missing-exchange-online-license", Status::Fail) => (
            format!("{name} holds no enabled Exchange Online service plan."),
            json!({ "user": address, "exchange_plans": [], "exchange_foundation_only": address.starts_with("kevin") }),
        ),
        ("missing-exchange-online-license", Status::Warn) => (
            format!("The Exchange Online plan of {name} is in its grace period (Warning)."),
            json!({ "user": address, "plan": "EXCHANGE_S_ENTERPRISE", "capability_status": "Warning" }),
        ),
        ("cross-tenant-exchange", Status::Fail) => (
            format!("The mailbox of {name} lives in another tenant, but its profile signs in to this one."),
            json!({ "mailbox_tenant": "9e8d7c6b-5a49-4f3e-8d2c-1b0a9f8e7d6c", "environment_tenant": TENANT,
                    "profile": "Microsoft Exchange Online" }),
        ),
        ("recreated-user", Status::Fail) => (
            format!("{name} was deleted and recreated: Dataverse holds the old Entra object id."),
            json!({ "dataverse_object_id": "0a1b2c3d-0000-4000-8000-000000000001",
                    "entra_object_id": "0a1b2c3d-0000-4000-8000-000000000002",
                    "alert": "NoUserFoundWithGivenClaims" }),
        ),
        ("recreated-user", Status::Error) => (
            "Could not evaluate: Microsoft Graph answered 403 Forbidden for deleted users.".to_owned(),
            json!({ "service": "graph", "http_status": 403, "permission": "User.Read.All" }),
        ),
        ("ews-basic-auth-disabled", Status::Fail) => (
            format!(
                "Profile {name} authenticates with Basic, but its EWS endpoint offers only Negotiate and NTLM."
            ),
            json!({ "ews_url": "https://mail-legacy.contoso.com/EWS/Exchange.asmx",
                    "offered": ["Negotiate", "NTLM"], "profile_auth": "Basic" }),
        ),
        ("exchange-online-basic-auth", Status::Fail) => (
            format!("Profile {name} reaches Exchange Online with user name and password (Basic)."),
            json!({ "server": "https://outlook.office365.com/EWS/Exchange.asmx", "authentication": "Basic" }),
        ),
        (_, Status::Skip) => (skip_reason(check, name), json!({})),
        _ => (format!("No problem found for {name}."), json!({})),
    };
    let evidence = match evidence {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    (message, evidence)
}

fn skip_reason(check: &str, name: &str) -> String {
    match check {
        "hybrid-profile-for-online-mailbox" => {
            format!("{name} does not use an Exchange Server (Hybrid) profile.")
        }
        "ews-basic-auth-disabled" => format!("Profile {name} is not an on-premises profile using Basic."),
        "exchange-online-basic-auth" => format!("Profile {name} does not reach Exchange Online."),
        _ => format!("The mailbox of {name} is not in this environment's Exchange Online tenant."),
    }
}

/// A mailbox whose results include a failure last failed to synchronise, with an error;
/// the others last succeeded.
fn sample_state(statuses: &str) -> MailboxState {
    if statuses.contains('F') {
        MailboxState {
            last_sync_error: Some(
                "Email cannot be received for this mailbox: the credentials were refused (401).".into(),
            ),
            last_sync_error_code: Some(-2147220970),
            last_sync_error_on: Some("2026-11-28T08:15:00Z".into()),
            last_successful_sync_on: Some("2026-11-20T07:00:00Z".into()),
            email_address_approval: Some(EmailApproval::Approved),
            ..MailboxState::all(SyncStatus::Failure)
        }
    } else {
        MailboxState {
            last_successful_sync_on: Some("2026-11-28T08:55:00Z".into()),
            email_address_approval: Some(EmailApproval::Approved),
            ..MailboxState::all(SyncStatus::Success)
        }
    }
}
