//! Turns a parsed scenario file into the validated model: resolves every reference, checks
//! every id, and fills in defaults. Each error names the line of the offending value.

use std::collections::{HashMap, HashSet};

use super::Scenario;
use super::catalogue;
use super::error::{Reporter, ScenarioError};
use super::file::*;
use super::model::*;
use crate::ids;
use crate::options::{self, Options};

type R<T> = Result<T, ScenarioError>;

struct Ctx<'a> {
    r: &'a Reporter<'a>,
}

impl Ctx<'_> {
    fn guid(&self, v: &Option<S<String>>, derive_from: &str) -> R<String> {
        match v {
            Some(s) => self.guid_of(s),
            None => Ok(ids::derive(derive_from)),
        }
    }

    fn guid_of(&self, s: &S<String>) -> R<String> {
        if ids::is_guid(s.get_ref()) {
            Ok(s.get_ref().to_ascii_lowercase())
        } else {
            Err(self.r.at(
                s.span(),
                format!("`{}` is not a GUID (8-4-4-4-12 hex digits)", s.get_ref()),
            ))
        }
    }

    fn option(&self, v: &S<OptVal>, opts: Options, what: &str) -> R<i64> {
        match v.get_ref() {
            OptVal::Num(n) => Ok(*n),
            OptVal::Name(name) => options::value(opts, name).ok_or_else(|| {
                self.r.at(
                    v.span(),
                    format!(
                        "unknown {what} `{name}`; expected one of {}",
                        options::names(opts)
                    ),
                )
            }),
        }
    }

    fn opt_option(&self, v: Option<&S<OptVal>>, opts: Options, what: &str) -> R<Option<i64>> {
        v.map(|v| self.option(v, opts, what)).transpose()
    }

    fn dangling(&self, s: &S<String>, what: &str, known: impl Iterator<Item = String>) -> ScenarioError {
        let mut known: Vec<String> = known.collect();
        known.sort();
        let more = known.len() > 12;
        known.truncate(12);
        let tail = if more { ", …" } else { "" };
        self.r.at(
            s.span(),
            format!(
                "no {what} `{}` in this scenario (known: {}{tail})",
                s.get_ref(),
                known.join(", ")
            ),
        )
    }

    fn unique(&self, seen: &mut HashSet<String>, key: &S<String>, what: &str) -> R<()> {
        if seen.insert(key.get_ref().to_ascii_lowercase()) {
            Ok(())
        } else {
            Err(self
                .r
                .at(key.span(), format!("duplicate {what} `{}`", key.get_ref())))
        }
    }
}

/// A user's `createdDateTime` when the scenario gives none: long before any deletion.
pub(crate) const DEFAULT_USER_CREATED: &str = "2024-03-01T09:00:00Z";

fn default_time(days_ago: i64) -> String {
    let t = time::OffsetDateTime::now_utc() - time::Duration::days(days_ago);
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

pub(crate) fn build(r: &Reporter<'_>, f: File) -> R<Scenario> {
    let c = Ctx { r };

    // Tenants and their domains.
    let mut tenants: Vec<Tenant> = Vec::new();
    let mut tenant_keys = HashSet::new();
    let mut domains = HashSet::new();
    for t in &f.tenants {
        c.unique(&mut tenant_keys, &t.key, "tenant key")?;
        let mut ds = Vec::new();
        for d in &t.domains {
            c.unique(&mut domains, d, "domain")?;
            ds.push(d.get_ref().to_ascii_lowercase());
        }
        tenants.push(Tenant {
            key: t.key.get_ref().clone(),
            id: c.guid_of(&t.id)?,
            name: t.name.clone(),
            domains: ds,
        });
    }
    if tenants.is_empty() {
        return Err(r.whole("a scenario needs at least one `[[tenants]]` entry"));
    }
    let tenant = |s: &S<String>| -> R<Tenant> {
        tenants
            .iter()
            .find(|t| t.key == *s.get_ref())
            .cloned()
            .ok_or_else(|| c.dangling(s, "tenant", tenants.iter().map(|t| t.key.clone())))
    };

    // Plans and SKUs: the built-in catalogue plus the file's own.
    let mut plans = catalogue::plans();
    for p in &f.service_plans {
        if plans.iter().any(|x| x.name == *p.name.get_ref()) {
            return Err(r.at(
                p.name.span(),
                format!("service plan `{}` is already defined", p.name.get_ref()),
            ));
        }
        plans.push(ServicePlan {
            id: c.guid_of(&p.id)?,
            name: p.name.get_ref().clone(),
            service: p.service.clone(),
            applies_to: p.applies_to.clone(),
        });
    }
    let mut skus = catalogue::skus(&plans);
    for s in &f.skus {
        if skus.iter().any(|x| x.part_number == *s.part_number.get_ref()) {
            return Err(r.at(
                s.part_number.span(),
                format!("SKU `{}` is already defined", s.part_number.get_ref()),
            ));
        }
        let mut ps = Vec::new();
        for name in &s.plans {
            let plan = plans
                .iter()
                .find(|p| p.name.eq_ignore_ascii_case(name.get_ref()))
                .cloned()
                .ok_or_else(|| c.dangling(name, "service plan", plans.iter().map(|p| p.name.clone())))?;
            ps.push(plan);
        }
        skus.push(Sku {
            id: c.guid_of(&s.id)?,
            part_number: s.part_number.get_ref().clone(),
            plans: ps,
        });
    }

    // App registration.
    let app = App {
        client_id: c.guid_of(&f.app.client_id)?,
        client_secret: f.app.client_secret.clone(),
        name: f.app.name.clone().unwrap_or_else(|| "ssync-doctor".into()),
        tenant_id: tenant(&f.app.tenant)?.id,
        application_user: f.app.application_user,
        withheld_graph_permissions: f.app.withheld_graph_permissions.clone(),
    };

    // EWS servers.
    let mut ews_servers: Vec<EwsServer> = Vec::new();
    let mut ews_names = HashSet::new();
    for e in &f.ews_servers {
        c.unique(&mut ews_names, &e.name, "EWS server")?;
        let name = e.name.get_ref();
        if name.is_empty()
            || !name
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
        {
            return Err(r.at(
                e.name.span(),
                "EWS server names may use letters, digits, `-` and `_` only",
            ));
        }
        let status = match &e.status {
            None => 401,
            Some(s) => match u16::try_from(*s.get_ref()) {
                Ok(v @ (401 | 403)) => v,
                _ => {
                    return Err(r.at(
                        s.span(),
                        "an EWS server's `status` is 401 (asks for credentials) or 403 (refuses EWS)",
                    ));
                }
            },
        };
        // The challenge of an Exchange server with hybrid modern authentication, as Microsoft's
        // Exchange docs show it ("Using hybrid Modern Authentication with Outlook for iOS and
        // Android"): Entra ID (`00000001-0000-0000-c000-000000000000`) of each trusted tenant.
        let mut challenges = Vec::new();
        if !e.bearer_trusts.is_empty() {
            let mut issuers = Vec::new();
            for t in &e.bearer_trusts {
                let realm = if t.get_ref() == "*" {
                    "*".to_owned()
                } else {
                    tenant(t)?.id
                };
                issuers.push(format!("00000001-0000-0000-c000-000000000000@{realm}"));
            }
            challenges.push(format!(
                "Bearer client_id=\"00000002-0000-0ff1-ce00-000000000000\", trusted_issuers=\"{}\", \
                 token_types=\"app_asserted_user_v1 service_asserted_app_v1\", \
                 authorization_uri=\"https://login.windows.net/common/oauth2/authorize\"",
                issuers.join(",")
            ));
        }
        challenges.extend(e.challenges.iter().cloned());
        ews_servers.push(EwsServer {
            name: name.clone(),
            status,
            challenges,
        });
    }

    // Profiles.
    let mut profiles: Vec<Profile> = Vec::new();
    let mut profile_keys = HashSet::new();
    for p in &f.profiles {
        c.unique(&mut profile_keys, &p.key, "profile key")?;
        let server_type = c.option(&p.server_type, options::SERVER_TYPE, "server type")?;
        let location = |v: Option<&S<String>>| -> R<Option<Location>> {
            let Some(s) = v.or(p.location.as_ref()) else {
                return Ok(None);
            };
            match s.get_ref().strip_prefix("ews:") {
                Some(server) if ews_servers.iter().any(|e| e.name == server) => {
                    Ok(Some(Location::Ews(server.into())))
                }
                Some(_) => Err(c.dangling(
                    s,
                    "EWS server",
                    ews_servers.iter().map(|e| format!("ews:{}", e.name)),
                )),
                None => Ok(Some(Location::Url(s.get_ref().clone()))),
            }
        };
        let conn =
            |cred: Option<&S<OptVal>>, auth: Option<&S<OptVal>>, loc: Option<&S<String>>| -> R<Connection> {
                Ok(Connection {
                    credentials: c.opt_option(
                        cred.or(p.credentials.as_ref()),
                        options::CREDENTIAL_RETRIEVAL,
                        "credential retrieval",
                    )?,
                    auth: c.opt_option(
                        auth.or(p.auth.as_ref()),
                        options::AUTH_PROTOCOL,
                        "authentication protocol",
                    )?,
                    location: location(loc)?,
                })
            };
        let incoming = conn(
            p.incoming_credentials.as_ref(),
            p.incoming_auth.as_ref(),
            p.incoming_location.as_ref(),
        )?;
        let outgoing = conn(
            p.outgoing_credentials.as_ref(),
            p.outgoing_auth.as_ref(),
            p.outgoing_location.as_ref(),
        )?;
        let exchange_online_tenant_id = match (&p.exchange_online_tenant, &p.exchange_online_tenant_id) {
            (Some(key), _) => Some(tenant(key)?.id),
            (None, Some(id)) => Some(c.guid_of(id)?),
            (None, None) => None,
        };
        // Left out, the display text is the picklist label, as Dataverse shows it.
        let server_type_name = p.server_type_name.clone().unwrap_or_else(|| {
            options::label(options::SERVER_TYPE, server_type)
                .unwrap_or("Unknown")
                .to_owned()
        });
        profiles.push(Profile {
            key: p.key.get_ref().clone(),
            id: c.guid(&p.id, &format!("profile:{}", p.key.get_ref()))?,
            name: p.name.clone(),
            server_type,
            server_type_name,
            incoming,
            outgoing,
            use_autodiscover: p.use_autodiscover,
            exchange_online_tenant_id,
            use_default_tenant_id: p.use_default_tenant_id,
            oauth_client_id: p.oauth_client_id.clone(),
            active: p.active,
            oauth_secret_set: p.oauth_secret_set.unwrap_or(p.oauth_client_id.is_some()),
            last_authorization: c.opt_option(
                p.last_authorization.as_ref(),
                options::AUTHORIZATION_STATUS,
                "last authorization status",
            )?,
            last_message: p.last_message.clone(),
            last_test_start: p.last_test_start.clone(),
        });
    }
    let profile = |s: &S<String>| -> R<String> {
        profiles
            .iter()
            .find(|p| p.key == *s.get_ref())
            .map(|p| p.id.clone())
            .ok_or_else(|| c.dangling(s, "profile", profiles.iter().map(|p| p.key.clone())))
    };

    // Environment.
    let e = &f.environment;
    let environment = Environment {
        tenant_id: tenant(&e.tenant)?.id,
        organization_id: c.guid(&e.organization_id, &format!("organization:{}", e.name))?,
        environment_id: c.guid(&e.environment_id, &format!("environment:{}", e.name))?,
        name: e.name.clone(),
        unique_name: e
            .unique_name
            .clone()
            .unwrap_or_else(|| format!("unq{}", ids::derive(&e.name)[..8].to_owned())),
        url_name: e
            .url_name
            .clone()
            .unwrap_or_else(|| e.name.to_ascii_lowercase().replace(' ', "")),
        default_profile_id: e.default_profile.as_ref().map(&profile).transpose()?,
        business_unit_id: ids::derive(&format!("businessunit:{}", e.name)),
        require_approval_for_user_email: e.require_approval_for_user_email,
        require_approval_for_queue_email: e.require_approval_for_queue_email,
    };

    // Entra users.
    let mut users: Vec<User> = Vec::new();
    let mut upns = HashSet::new();
    for u in &f.users {
        c.unique(&mut upns, &u.upn, "user principal name")?;
        let t = tenant(&u.tenant)?;
        let upn = u.upn.get_ref().clone();
        let domain = upn.rsplit_once('@').map(|(_, d)| d.to_ascii_lowercase());
        match domain {
            Some(d) if t.domains.contains(&d) => {}
            _ => {
                return Err(r.at(
                    u.upn.span(),
                    format!(
                        "`{upn}` is not in a domain of tenant `{}` ({})",
                        t.key,
                        t.domains.join(", ")
                    ),
                ));
            }
        }
        let mut licenses = Vec::new();
        for l in &u.licenses {
            let (sku_name, disabled) = match l.get_ref() {
                LicenseFile::Sku(s) => (s, &[][..]),
                LicenseFile::Full { sku, disabled_plans } => (sku, &disabled_plans[..]),
            };
            let sku = skus
                .iter()
                .find(|s| s.part_number.eq_ignore_ascii_case(sku_name))
                .cloned()
                .ok_or_else(|| {
                    let known: Vec<_> = skus.iter().map(|s| s.part_number.clone()).collect();
                    r.at(
                        l.span(),
                        format!(
                            "no SKU `{sku_name}` in this scenario (known: {})",
                            known.join(", ")
                        ),
                    )
                })?;
            let mut disabled_plans = Vec::new();
            for d in disabled {
                let plan = sku
                    .plans
                    .iter()
                    .find(|p| p.name.eq_ignore_ascii_case(d))
                    .ok_or_else(|| {
                        let known: Vec<_> = sku.plans.iter().map(|p| p.name.clone()).collect();
                        r.at(
                            l.span(),
                            format!(
                                "SKU {} has no plan `{d}` (it has: {})",
                                sku.part_number,
                                known.join(", ")
                            ),
                        )
                    })?;
                disabled_plans.push(plan.id.clone());
            }
            licenses.push(License { sku, disabled_plans });
        }
        let mut assigned = Vec::new();
        for l in &licenses {
            for p in &l.sku.plans {
                let status = if l.disabled_plans.contains(&p.id) {
                    "Deleted".to_owned()
                } else {
                    match u
                        .plan_status
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(&p.name))
                    {
                        Some((_, s)) => s.get_ref().clone(),
                        None => "Enabled".to_owned(),
                    }
                };
                assigned.push(AssignedPlan {
                    plan: p.clone(),
                    status,
                });
            }
        }
        for (name, status) in &u.plan_status {
            if !assigned.iter().any(|a| a.plan.name.eq_ignore_ascii_case(name)) {
                return Err(r.at(
                    status.span(),
                    format!("plan_status names `{name}`, which none of the user's licences carries"),
                ));
            }
            const STATUSES: [&str; 5] = ["Enabled", "Warning", "Suspended", "Deleted", "LockedOut"];
            if !STATUSES.contains(&status.get_ref().as_str()) {
                return Err(r.at(
                    status.span(),
                    format!("capabilityStatus must be one of {}", STATUSES.join(", ")),
                ));
            }
        }
        let purpose = match &u.purpose {
            None => "user".to_owned(),
            Some(p) => {
                const PURPOSES: [&str; 6] = ["user", "linked", "shared", "room", "equipment", "others"];
                if !PURPOSES.contains(&p.get_ref().as_str()) {
                    return Err(r.at(
                        p.span(),
                        format!("purpose must be one of {}", PURPOSES.join(", ")),
                    ));
                }
                p.get_ref().clone()
            }
        };
        let mailbox = match u.mailbox.as_ref().map(|m| (m, m.get_ref().as_str())) {
            None | Some((_, "online")) => MailboxHome::Online(purpose),
            Some((_, "on-premises")) => MailboxHome::OnPremises,
            Some((_, "none")) => MailboxHome::None,
            Some((m, other)) => {
                return Err(r.at(
                    m.span(),
                    format!("mailbox `{other}`: expected online, on-premises or none"),
                ));
            }
        };
        let mail = match &u.mail {
            Some(m) if m.is_empty() => None,
            Some(m) => Some(m.clone()),
            None => Some(upn.clone()),
        };
        let proxy_addresses = u
            .proxy_addresses
            .clone()
            .unwrap_or_else(|| mail.iter().map(|m| format!("SMTP:{m}")).collect());
        let local = upn.split('@').next().unwrap_or(&upn).to_owned();
        users.push(User {
            tenant_id: t.id.clone(),
            id: c.guid(&u.id, &format!("user:{}", upn.to_ascii_lowercase()))?,
            display_name: u.display_name.clone().unwrap_or_else(|| title(&local)),
            given_name: u.given_name.clone(),
            surname: u.surname.clone(),
            upn,
            mail,
            proxy_addresses,
            account_enabled: u.account_enabled,
            on_premises_sync: u.on_premises_sync,
            created: u
                .created
                .clone()
                .unwrap_or_else(|| DEFAULT_USER_CREATED.to_owned()),
            licenses,
            plans: assigned,
            mailbox,
        });
    }

    // Deleted users.
    let mut deleted_users: Vec<DeletedUser> = Vec::new();
    let mut deleted_keys = HashSet::new();
    for d in &f.deleted_users {
        c.unique(&mut deleted_keys, &d.key, "deleted user key")?;
        let t = tenant(&d.tenant)?;
        let id = c.guid(&d.id, &format!("deleted:{}", d.key.get_ref()))?;
        let upn = if d.prefix_upn {
            format!("{}{}", id.replace('-', ""), d.upn)
        } else {
            d.upn.clone()
        };
        let local = d.upn.split('@').next().unwrap_or(&d.upn).to_owned();
        deleted_users.push(DeletedUser {
            key: d.key.get_ref().clone(),
            tenant_id: t.id,
            id,
            upn,
            display_name: d.display_name.clone().unwrap_or_else(|| title(&local)),
            mail: d.mail.clone(),
            proxy_addresses: d
                .proxy_addresses
                .clone()
                .unwrap_or_else(|| d.mail.iter().map(|m| format!("SMTP:{m}")).collect()),
            deleted_at: d.deleted.clone().unwrap_or_else(|| default_time(3)),
        });
    }

    // Queues.
    let mut queues: Vec<Queue> = Vec::new();
    let mut queue_keys = HashSet::new();
    for q in &f.queues {
        c.unique(&mut queue_keys, &q.key, "queue key")?;
        queues.push(Queue {
            key: q.key.get_ref().clone(),
            id: c.guid(&q.id, &format!("queue:{}", q.key.get_ref()))?,
            name: q.name.clone(),
            email: q.email.clone(),
            default_mailbox: None,
        });
    }

    // Dataverse users, plus the application user the app signs in as.
    let mut system_users: Vec<SystemUser> = Vec::new();
    let mut su_keys = HashSet::new();
    for s in &f.system_users {
        c.unique(&mut su_keys, &s.key, "system user key")?;
        let (entra_object_id, entra_upn) = match (&s.entra_user, &s.entra_object_id) {
            (Some(refr), _) => {
                let wanted = refr.get_ref();
                if let Some(u) = users.iter().find(|u| u.upn.eq_ignore_ascii_case(wanted)) {
                    (Some(u.id.clone()), Some(u.upn.clone()))
                } else if let Some(d) = deleted_users.iter().find(|d| d.key == *wanted) {
                    (Some(d.id.clone()), None)
                } else {
                    return Err(c.dangling(
                        refr,
                        "user (UPN) or deleted user (key)",
                        users
                            .iter()
                            .map(|u| u.upn.clone())
                            .chain(deleted_users.iter().map(|d| d.key.clone())),
                    ));
                }
            }
            (None, Some(id)) => (Some(c.guid_of(id)?), None),
            (None, None) => (None, None),
        };
        let domain_name = s.domain_name.clone().or(entra_upn.clone());
        system_users.push(SystemUser {
            key: s.key.get_ref().clone(),
            id: c.guid(&s.id, &format!("systemuser:{}", s.key.get_ref()))?,
            full_name: s.full_name.clone().unwrap_or_else(|| title(s.key.get_ref())),
            internal_email: s.internal_email.clone().or(domain_name.clone()),
            domain_name,
            entra_object_id,
            azure_state: c
                .opt_option(s.azure_state.as_ref(), options::AZURE_STATE, "azure state")?
                .unwrap_or(0),
            disabled: s.disabled,
            application_id: None,
            default_mailbox: None,
        });
    }
    // Mailboxes.
    let mut mailboxes: Vec<Mailbox> = Vec::new();
    let mut addresses = HashSet::new();
    for m in &f.mailboxes {
        c.unique(&mut addresses, &m.address, "mailbox address")?;
        let address = m.address.get_ref().clone();
        let owner = match (&m.owner_user, &m.owner_queue) {
            (Some(u), None) => Owner::User(
                system_users
                    .iter()
                    .find(|s| s.key == *u.get_ref())
                    .map(|s| s.id.clone())
                    .ok_or_else(|| {
                        c.dangling(u, "system user", system_users.iter().map(|s| s.key.clone()))
                    })?,
            ),
            (None, Some(q)) => Owner::Queue(
                queues
                    .iter()
                    .find(|x| x.key == *q.get_ref())
                    .map(|x| x.id.clone())
                    .ok_or_else(|| c.dangling(q, "queue", queues.iter().map(|x| x.key.clone())))?,
            ),
            _ => {
                return Err(r.at(
                    m.address.span(),
                    "a mailbox needs exactly one of owner_user or owner_queue",
                ));
            }
        };
        let profile_id = match &m.profile {
            Some(p) => Some(profile(p)?),
            None => environment.default_profile_id.clone(),
        };
        let (mut incoming, mut outgoing, mut act) =
            match m.delivery.as_ref().map(|d| (d, d.get_ref().as_str())) {
                None | Some((_, "server-side-sync")) => (2, 2, 1),
                Some((_, "none")) => (0, 0, 2),
                Some((d, other)) => {
                    return Err(r.at(
                        d.span(),
                        format!("delivery `{other}`: expected server-side-sync or none"),
                    ));
                }
            };
        if let Some(v) = c.opt_option(
            m.incoming.as_ref(),
            options::INCOMING_DELIVERY,
            "incoming delivery",
        )? {
            incoming = v;
        }
        if let Some(v) = c.opt_option(
            m.outgoing.as_ref(),
            options::OUTGOING_DELIVERY,
            "outgoing delivery",
        )? {
            outgoing = v;
        }
        if let Some(v) = c.opt_option(m.act.as_ref(), options::ACT_DELIVERY, "ACT delivery")? {
            act = v;
        }
        let id = c.guid(&m.id, &format!("mailbox:{}", address.to_ascii_lowercase()))?;
        match &owner {
            Owner::User(uid) => {
                if let Some(s) = system_users
                    .iter_mut()
                    .find(|s| s.id == *uid && s.default_mailbox.is_none())
                {
                    s.default_mailbox = Some(id.clone());
                }
            }
            Owner::Queue(qid) => {
                if let Some(q) = queues
                    .iter_mut()
                    .find(|q| q.id == *qid && q.default_mailbox.is_none())
                {
                    q.default_mailbox = Some(id.clone());
                }
            }
        }
        let statuses = m.statuses.unwrap_or([1, 1, 1, 1]);
        let failing = statuses.contains(&2);
        mailboxes.push(Mailbox {
            key: address.to_ascii_lowercase(),
            id,
            name: m.name.clone().unwrap_or_else(|| address.clone()),
            address: Some(address),
            owner,
            profile_id,
            incoming,
            outgoing,
            act,
            statuses,
            last_sync_error: m.last_sync_error.clone(),
            last_sync_error_code: m.last_sync_error_code,
            last_sync_error_on: m
                .last_sync_error_on
                .clone()
                .or_else(|| failing.then(|| default_time(1))),
            // A mailbox that never ran has never succeeded; a failing one last did ten days ago.
            last_successful_sync: m.last_successful_sync.clone().or_else(|| {
                (failing || statuses.contains(&1)).then(|| default_time(if failing { 10 } else { 0 }))
            }),
            active: m.active,
            ews_url: m.ews_url.clone(),
            approval: c
                .opt_option(m.approval.as_ref(), options::APPROVAL, "approval status")?
                .unwrap_or(1),
            approved_by_admin: m.approved_by_admin,
        });
    }

    // Alerts.
    let by_address: HashMap<String, String> =
        mailboxes.iter().map(|m| (m.key.clone(), m.id.clone())).collect();
    let mut alerts = Vec::new();
    for (i, a) in f.alerts.iter().enumerate() {
        let mailbox_id = by_address
            .get(&a.mailbox.get_ref().to_ascii_lowercase())
            .cloned()
            .ok_or_else(|| c.dangling(&a.mailbox, "mailbox", mailboxes.iter().map(|m| m.key.clone())))?;
        let created = a.created.clone().unwrap_or_else(|| default_time(2));
        alerts.push(Alert {
            id: c.guid(&a.id, &format!("alert:{i}:{}", a.mailbox.get_ref()))?,
            mailbox_id,
            level: c.option(&a.level, options::TRACE_LEVEL, "alert level")?,
            text: a.text.clone(),
            error_details: a.error_details.clone(),
            detail_xml: a.detail_xml.clone(),
            code: a.code,
            modified: a.modified.clone().unwrap_or_else(|| created.clone()),
            created,
        });
    }

    // The application user the app signs in as (WhoAmI), added after every reference
    // was resolved so scenarios cannot point at it.
    if app.application_user {
        system_users.push(SystemUser {
            key: "#app".into(),
            id: ids::derive(&format!("systemuser:app:{}", app.client_id)),
            full_name: format!("# {}", app.name),
            domain_name: Some(format!("{}@{}", app.client_id, "application")),
            internal_email: None,
            entra_object_id: None,
            azure_state: 0,
            disabled: false,
            application_id: Some(app.client_id.clone()),
            default_mailbox: None,
        });
    }

    Ok(Scenario {
        origin: r.origin.to_owned(),
        tenants,
        app,
        environment,
        users,
        deleted_users,
        system_users,
        queues,
        profiles,
        mailboxes,
        alerts,
        ews_servers,
    })
}

/// `heidi.park` → `Heidi Park`.
pub(crate) fn title(local: &str) -> String {
    local
        .split(['.', '-', '_'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            cs.next()
                .map(|f| f.to_uppercase().chain(cs).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}
