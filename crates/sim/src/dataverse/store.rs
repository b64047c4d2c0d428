//! The Dataverse tables of a scenario, built once at start, with indexes by id and by the
//! columns diagnoses filter on.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::schema::{self, Entity};
use crate::scenario::Scenario;
use crate::scenario::model::{Location, Owner};
use crate::server::Urls;

pub(crate) struct Table {
    pub entity: &'static Entity,
    pub rows: Vec<Vec<Value>>,
    /// Per indexed column: lower-cased value → row numbers (ascending).
    pub indexes: crate::odata::Indexes,
    /// Rows after `rows`, made up on demand (`Knobs::noise_traces`).
    noise: Option<NoiseTraces>,
}

/// Trace rows computed from their number: a million of them cost an index entry each, not
/// a stored row.
/// Which regarding record made-up trace `n` is about: four traces in a row (one of each level
/// cycle) regard the same record, so every record gets error traces whatever the count of
/// records (`n % len` alone would give errors only to every fourth record when `len` is a
/// multiple of four).
fn noise_regarding(n: usize, len: usize) -> usize {
    (n / 4) % len
}

struct NoiseTraces {
    count: usize,
    regarding: Vec<String>,
    newest: time::OffsetDateTime,
}

impl NoiseTraces {
    fn cell(&self, n: usize, column: &str) -> Value {
        let level = match n % 4 {
            0 => 3,
            1 => 2,
            _ => 1,
        };
        let when = || {
            let t = self.newest - time::Duration::minutes(n as i64);
            json!(
                t.format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default()
            )
        };
        match column {
            "tracelogid" => json!(format!("7ace0000-0000-4000-8000-{n:012x}")),
            "text" => json!(format!("Simulated background trace {n}.")),
            "tracecode" => json!(0),
            "level" => json!(level),
            "_regardingobjectid_value" if !self.regarding.is_empty() => {
                json!(self.regarding[noise_regarding(n, self.regarding.len())])
            }
            "regardingobjecttypecode" if !self.regarding.is_empty() => json!("mailbox"),
            "machinename" => json!("SIM-ASYNC-01"),
            "tracestatus" => json!(level < 3),
            "createdon" | "modifiedon" => when(),
            _ => Value::Null,
        }
    }
}

impl Table {
    fn new(entity: &'static Entity) -> Table {
        Table {
            entity,
            rows: Vec::new(),
            indexes: HashMap::new(),
            noise: None,
        }
    }

    /// Stored and made-up rows together.
    pub fn len(&self) -> usize {
        self.rows.len() + self.noise.as_ref().map_or(0, |n| n.count)
    }

    /// The value of `column` in row `n` (stored or made up).
    pub fn value(&self, n: usize, column: &str) -> Value {
        match self.rows.get(n) {
            Some(row) => self.get(row, column).clone(),
            None => self
                .noise
                .as_ref()
                .map_or(Value::Null, |noise| noise.cell(n - self.rows.len(), column)),
        }
    }

    /// Row `n` in column order.
    pub fn row(&self, n: usize) -> std::borrow::Cow<'_, [Value]> {
        match self.rows.get(n) {
            Some(row) => std::borrow::Cow::Borrowed(row),
            None => std::borrow::Cow::Owned(
                self.entity
                    .columns
                    .iter()
                    .map(|c| self.value(n, c.name))
                    .collect(),
            ),
        }
    }

    /// The value in column number `i` of row `n`.
    pub fn cell(&self, n: usize, i: usize) -> std::borrow::Cow<'_, Value> {
        match self.rows.get(n) {
            Some(row) => std::borrow::Cow::Borrowed(&row[i]),
            None => std::borrow::Cow::Owned(self.value(n, self.entity.columns[i].name)),
        }
    }

    /// Adds `count` made-up traces regarding `regarding` in turn, indexed by the record they
    /// regard (not by id: a made-up trace cannot be read on its own).
    fn add_noise(&mut self, count: usize, regarding: Vec<String>) {
        let first = self.rows.len();
        if !regarding.is_empty() {
            let ix = self.indexes.entry("_regardingobjectid_value").or_default();
            for n in 0..count {
                ix.entry(regarding[noise_regarding(n, regarding.len())].to_lowercase())
                    .or_default()
                    .push(first + n);
            }
        }
        let start = time::OffsetDateTime::now_utc() - time::Duration::days(3);
        self.noise = Some(NoiseTraces {
            count,
            regarding,
            newest: start.replace_nanosecond(0).unwrap_or(start),
        });
    }

    /// Adds a row given as (column, value) pairs; columns not named are null.
    /// Values usually come in column order, so the search starts after the last match:
    /// building 100,000 rows stays linear.
    fn push(&mut self, values: Vec<(&str, Value)>) {
        let columns = self.entity.columns;
        let mut row = vec![Value::Null; columns.len()];
        let mut next = 0;
        for (name, v) in values {
            let found = (next..columns.len())
                .chain(0..next)
                .find(|i| columns[*i].name == name);
            match found {
                Some(i) => {
                    row[i] = v;
                    next = i + 1;
                }
                None => debug_assert!(false, "no column {name} on {}", self.entity.logical),
            }
        }
        self.rows.push(row);
    }

    fn index(&mut self) {
        for col in self.entity.indexed {
            let Some((i, _)) = self.entity.column(col) else {
                continue;
            };
            let mut map: HashMap<String, Vec<usize>> = HashMap::new();
            for (n, row) in self.rows.iter().enumerate() {
                if let Value::String(s) = &row[i] {
                    map.entry(s.to_lowercase()).or_default().push(n);
                }
            }
            self.indexes.insert(col, map);
        }
    }

    pub fn by_id(&self, id: &str) -> Option<&Vec<Value>> {
        let n = *self
            .indexes
            .get(self.entity.key)?
            .get(&id.to_lowercase())?
            .first()?;
        self.rows.get(n)
    }

    pub fn get<'a>(&self, row: &'a [Value], column: &str) -> &'a Value {
        static NULL: Value = Value::Null;
        self.entity.column(column).map_or(&NULL, |(i, _)| &row[i])
    }
}

pub(crate) struct Store {
    pub tables: HashMap<&'static str, Table>,
}

fn opt(s: &Option<String>) -> Value {
    s.as_ref().map_or(Value::Null, |v| json!(v))
}

impl Store {
    pub fn build(s: &Scenario, urls: &Urls, noise_traces: usize) -> Store {
        let created = "2025-01-15T09:00:00Z";
        // Queue mailboxes are owned by the application user (or, without one, the first user).
        let queue_owner = s
            .system_users
            .iter()
            .rev()
            .find(|u| u.application_id.is_some())
            .or(s.system_users.first())
            .map(|u| u.id.clone())
            .unwrap_or_default();
        let mut mailboxes = Table::new(&schema::MAILBOX);
        for m in &s.mailboxes {
            let (regarding, kind) = match &m.owner {
                Owner::User(id) => (id, "systemuser"),
                Owner::Queue(id) => (id, "queue"),
            };
            let owner = match &m.owner {
                Owner::User(id) => id.clone(),
                Owner::Queue(_) => queue_owner.clone(),
            };
            let [inc, out, act, overall] = m.statuses;
            mailboxes.push(vec![
                ("mailboxid", json!(m.id)),
                ("name", json!(m.name)),
                ("emailaddress", opt(&m.address)),
                ("_regardingobjectid_value", json!(regarding)),
                ("regardingobjecttypecode", json!(kind)),
                ("_emailserverprofile_value", opt(&m.profile_id)),
                ("incomingemaildeliverymethod", json!(m.incoming)),
                ("outgoingemaildeliverymethod", json!(m.outgoing)),
                ("actdeliverymethod", json!(m.act)),
                ("incomingemailstatus", json!(inc)),
                ("outgoingemailstatus", json!(out)),
                ("actstatus", json!(act)),
                ("mailboxstatus", json!(overall)),
                ("enabledforincomingemail", json!(true)),
                ("enabledforoutgoingemail", json!(true)),
                ("enabledforact", json!(true)),
                ("emailrouteraccessapproval", json!(m.approval)),
                ("isemailaddressapprovedbyo365admin", json!(m.approved_by_admin)),
                ("testemailconfigurationscheduled", json!(false)),
                ("ewsurl", opt(&m.ews_url)),
                ("lastsyncerror", opt(&m.last_sync_error)),
                ("lastsyncerrorcode", json!(m.last_sync_error_code)),
                ("lastsyncerroroccurredon", opt(&m.last_sync_error_on)),
                ("lastsuccessfulsynccompletedon", opt(&m.last_successful_sync)),
                ("isforwardmailbox", json!(false)),
                ("isserviceaccount", json!(false)),
                ("orgmarkedasprimaryforexchangesync", json!(true)),
                ("statecode", json!(if m.active { 0 } else { 1 })),
                ("statuscode", json!(if m.active { 1 } else { 2 })),
                ("_ownerid_value", json!(owner)),
                ("createdon", json!(created)),
                ("modifiedon", json!(created)),
            ]);
        }

        let mut profiles = Table::new(&schema::PROFILE);
        let location = |l: &Option<Location>| match l {
            Some(Location::Url(u)) => json!(u),
            Some(Location::Ews(server)) => json!(format!("{}/{server}/EWS/Exchange.asmx", urls.ews)),
            None => Value::Null,
        };
        for p in &s.profiles {
            profiles.push(vec![
                ("emailserverprofileid", json!(p.id)),
                ("name", json!(p.name)),
                ("servertype", json!(p.server_type)),
                ("emailservertypename", json!(p.server_type_name)),
                ("incomingcredentialretrieval", json!(p.incoming.credentials)),
                ("outgoingcredentialretrieval", json!(p.outgoing.credentials)),
                ("incomingauthenticationprotocol", json!(p.incoming.auth)),
                ("outgoingauthenticationprotocol", json!(p.outgoing.auth)),
                ("incomingserverlocation", location(&p.incoming.location)),
                ("outgoingserverlocation", location(&p.outgoing.location)),
                ("useautodiscover", json!(p.use_autodiscover)),
                (
                    "usesamesettingsforoutgoingconnections",
                    json!(
                        p.incoming.location == p.outgoing.location
                            && p.incoming.credentials == p.outgoing.credentials
                    ),
                ),
                ("exchangeonlinetenantid", opt(&p.exchange_online_tenant_id)),
                ("usedefaulttenantid", json!(p.use_default_tenant_id)),
                ("oauthclientid", opt(&p.oauth_client_id)),
                ("isoauthclientsecretset", json!(p.oauth_secret_set)),
                ("lastauthorizationstatus", json!(p.last_authorization)),
                ("lastcrmmessage", opt(&p.last_message)),
                ("lastteststarttime", opt(&p.last_test_start)),
                ("incomingusessl", json!(true)),
                ("outgoingusessl", json!(true)),
                ("statecode", json!(if p.active { 0 } else { 1 })),
                ("statuscode", json!(if p.active { 1 } else { 2 })),
                ("createdon", json!(created)),
                ("modifiedon", json!(created)),
            ]);
        }

        let mut users = Table::new(&schema::SYSTEMUSER);
        for u in &s.system_users {
            users.push(vec![
                ("systemuserid", json!(u.id)),
                ("fullname", json!(u.full_name)),
                ("domainname", opt(&u.domain_name)),
                ("internalemailaddress", opt(&u.internal_email)),
                ("windowsliveid", opt(&u.domain_name)),
                ("azureactivedirectoryobjectid", opt(&u.entra_object_id)),
                ("azurestate", json!(u.azure_state)),
                ("deletedstate", json!(0)),
                ("isdisabled", json!(u.disabled)),
                (
                    "accessmode",
                    json!(if u.application_id.is_some() { 4 } else { 0 }),
                ),
                ("islicensed", json!(u.application_id.is_none())),
                ("applicationid", opt(&u.application_id)),
                ("_defaultmailbox_value", opt(&u.default_mailbox)),
                ("emailrouteraccessapproval", json!(1)),
                ("isemailaddressapprovedbyo365admin", json!(true)),
                ("incomingemaildeliverymethod", json!(2)),
                ("outgoingemaildeliverymethod", json!(2)),
            ]);
        }

        let mut queues = Table::new(&schema::QUEUE);
        for q in &s.queues {
            queues.push(vec![
                ("queueid", json!(q.id)),
                ("name", json!(q.name)),
                ("emailaddress", opt(&q.email)),
                ("_defaultmailbox_value", opt(&q.default_mailbox)),
                ("statecode", json!(0)),
            ]);
        }

        let mut traces = Table::new(&schema::TRACELOG);
        for a in &s.alerts {
            traces.push(vec![
                ("tracelogid", json!(a.id)),
                ("text", json!(a.text)),
                ("tracecode", json!(a.code)),
                ("level", json!(a.level)),
                ("_regardingobjectid_value", json!(a.mailbox_id)),
                ("regardingobjecttypecode", json!("mailbox")),
                ("errordetails", opt(&a.error_details)),
                ("machinename", json!("SIM-ASYNC-01")),
                ("tracedetailxml", opt(&a.detail_xml)),
                ("tracestatus", json!(a.level < 3)),
                ("createdon", json!(a.created)),
                ("modifiedon", json!(a.modified)),
            ]);
        }

        let env = &s.environment;
        let mut orgs = Table::new(&schema::ORGANIZATION);
        orgs.push(vec![
            ("organizationid", json!(env.organization_id)),
            ("name", json!(env.name)),
            ("_defaultemailserverprofileid_value", opt(&env.default_profile_id)),
            ("emailconnectionchannel", json!(0)),
            (
                "requireapprovalforuseremail",
                json!(env.require_approval_for_user_email),
            ),
            (
                "requireapprovalforqueueemail",
                json!(env.require_approval_for_queue_email),
            ),
        ]);

        let mut tables = HashMap::new();
        for mut t in [mailboxes, profiles, users, queues, traces, orgs] {
            t.index();
            if t.entity.logical == "tracelog" && noise_traces > 0 {
                t.add_noise(noise_traces, s.mailboxes.iter().map(|m| m.id.clone()).collect());
            }
            tables.insert(t.entity.set, t);
        }
        Store { tables }
    }

    pub fn table_by_logical(&self, logical: &str) -> Option<&Table> {
        self.tables.values().find(|t| t.entity.logical == logical)
    }
}
