//! The tables the simulator serves, with the columns of microsoft-apis.md §A (a subset of
//! each real table: the ones a diagnosis reads). Lookups are stored as their `_x_value`
//! property; polymorphic lookups name their target in a type column, as Dataverse does.

use crate::odata::eval::Kind;
use crate::options::{self, Options};

#[derive(Debug, Clone, Copy)]
pub enum ColKind {
    Text,
    Int,
    Bool,
    Guid,
    DateTime,
    Choice(Options),
    Lookup(&'static Lookup),
}

/// A lookup's possible targets: (entity logical name, single-valued navigation property).
#[derive(Debug)]
pub struct Lookup {
    pub targets: &'static [(&'static str, &'static str)],
    /// For polymorphic lookups: the column holding the target's logical name.
    pub type_column: Option<&'static str>,
}

#[derive(Debug)]
pub struct Column {
    pub name: &'static str,
    pub kind: ColKind,
}

#[derive(Debug)]
pub struct Entity {
    pub logical: &'static str,
    pub set: &'static str,
    pub key: &'static str,
    pub primary_name: &'static str,
    pub columns: &'static [Column],
    /// Columns answered from an index when a filter pins them with `eq`/`In`.
    pub indexed: &'static [&'static str],
}

impl Entity {
    pub fn column(&self, name: &str) -> Option<(usize, &'static Column)> {
        self.columns.iter().enumerate().find(|(_, c)| c.name == name)
    }

    /// The lookup column and target logical name behind a navigation property.
    pub fn navigation(&self, nav: &str) -> Option<(usize, &'static str)> {
        self.columns.iter().enumerate().find_map(|(i, c)| match c.kind {
            ColKind::Lookup(l) => l.targets.iter().find(|(_, n)| *n == nav).map(|(t, _)| (i, *t)),
            _ => None,
        })
    }
}

pub fn filter_kind(k: ColKind) -> Kind {
    match k {
        ColKind::Text => Kind::Text,
        ColKind::Int | ColKind::Choice(_) => Kind::Number,
        ColKind::Bool => Kind::Bool,
        ColKind::Guid | ColKind::Lookup(_) => Kind::Guid,
        ColKind::DateTime => Kind::DateTime,
    }
}

const fn c(name: &'static str, kind: ColKind) -> Column {
    Column { name, kind }
}

use ColKind::{Bool, DateTime, Guid, Int, Text};

const fn choice(o: Options) -> ColKind {
    ColKind::Choice(o)
}

static MAILBOX_REGARDING: Lookup = Lookup {
    targets: &[
        ("systemuser", "regardingobjectid"),
        ("queue", "regardingobjectid_queue"),
    ],
    type_column: Some("regardingobjecttypecode"),
};
static MAILBOX_PROFILE: Lookup = Lookup {
    targets: &[("emailserverprofile", "emailserverprofile")],
    type_column: None,
};
static MAILBOX_OWNER: Lookup = Lookup {
    targets: &[("systemuser", "owninguser")],
    type_column: None,
};
static DEFAULT_MAILBOX: Lookup = Lookup {
    targets: &[("mailbox", "defaultmailbox")],
    type_column: None,
};
static TRACE_REGARDING: Lookup = Lookup {
    targets: &[
        ("mailbox", "regardingobjectid_mailbox"),
        ("emailserverprofile", "regardingobjectid_emailserverprofile"),
    ],
    type_column: Some("regardingobjecttypecode"),
};
static ORG_PROFILE: Lookup = Lookup {
    targets: &[("emailserverprofile", "defaultemailserverprofileid")],
    type_column: None,
};

pub static MAILBOX: Entity = Entity {
    logical: "mailbox",
    set: "mailboxes",
    key: "mailboxid",
    primary_name: "name",
    indexed: &[
        "mailboxid",
        "emailaddress",
        "_regardingobjectid_value",
        "_emailserverprofile_value",
    ],
    columns: &[
        c("mailboxid", Guid),
        c("name", Text),
        c("emailaddress", Text),
        c("_regardingobjectid_value", ColKind::Lookup(&MAILBOX_REGARDING)),
        c("regardingobjecttypecode", Text),
        c("_emailserverprofile_value", ColKind::Lookup(&MAILBOX_PROFILE)),
        c("incomingemaildeliverymethod", choice(options::INCOMING_DELIVERY)),
        c("outgoingemaildeliverymethod", choice(options::OUTGOING_DELIVERY)),
        c("actdeliverymethod", choice(options::ACT_DELIVERY)),
        c("incomingemailstatus", choice(options::SYNC_STATUS)),
        c("outgoingemailstatus", choice(options::SYNC_STATUS)),
        c("actstatus", choice(options::SYNC_STATUS)),
        c("mailboxstatus", choice(options::SYNC_STATUS)),
        c("enabledforincomingemail", Bool),
        c("enabledforoutgoingemail", Bool),
        c("enabledforact", Bool),
        c("emailrouteraccessapproval", choice(options::APPROVAL)),
        c("isemailaddressapprovedbyo365admin", Bool),
        c("testemailconfigurationscheduled", Bool),
        c("ewsurl", Text),
        c("isforwardmailbox", Bool),
        c("isserviceaccount", Bool),
        c("orgmarkedasprimaryforexchangesync", Bool),
        c("lastsyncerror", Text),
        c("lastsyncerrorcode", Int),
        c("lastsyncerroroccurredon", DateTime),
        c("lastsuccessfulsynccompletedon", DateTime),
        c("statecode", choice(options::STATE)),
        c("statuscode", choice(options::STATUS)),
        c("_ownerid_value", ColKind::Lookup(&MAILBOX_OWNER)),
        c("createdon", DateTime),
        c("modifiedon", DateTime),
    ],
};

pub static PROFILE: Entity = Entity {
    logical: "emailserverprofile",
    set: "emailserverprofiles",
    key: "emailserverprofileid",
    primary_name: "name",
    indexed: &["emailserverprofileid"],
    columns: &[
        c("emailserverprofileid", Guid),
        c("name", Text),
        c("servertype", choice(options::SERVER_TYPE)),
        c("emailservertypename", Text),
        c(
            "incomingcredentialretrieval",
            choice(options::CREDENTIAL_RETRIEVAL),
        ),
        c(
            "outgoingcredentialretrieval",
            choice(options::CREDENTIAL_RETRIEVAL),
        ),
        c("incomingauthenticationprotocol", choice(options::AUTH_PROTOCOL)),
        c("outgoingauthenticationprotocol", choice(options::AUTH_PROTOCOL)),
        c("incomingserverlocation", Text),
        c("outgoingserverlocation", Text),
        c("useautodiscover", Bool),
        c("usesamesettingsforoutgoingconnections", Bool),
        c("exchangeonlinetenantid", Text),
        c("usedefaulttenantid", Bool),
        c("oauthclientid", Text),
        c("isoauthclientsecretset", Bool),
        c("lastauthorizationstatus", choice(options::AUTHORIZATION_STATUS)),
        c("lastcrmmessage", Text),
        c("lastteststarttime", DateTime),
        c("incomingusessl", Bool),
        c("outgoingusessl", Bool),
        c("statecode", choice(options::STATE)),
        c("statuscode", choice(options::STATUS)),
        c("createdon", DateTime),
        c("modifiedon", DateTime),
    ],
};

pub static SYSTEMUSER: Entity = Entity {
    logical: "systemuser",
    set: "systemusers",
    key: "systemuserid",
    primary_name: "fullname",
    indexed: &[
        "systemuserid",
        "azureactivedirectoryobjectid",
        "internalemailaddress",
        "domainname",
    ],
    columns: &[
        c("systemuserid", Guid),
        c("fullname", Text),
        c("domainname", Text),
        c("internalemailaddress", Text),
        c("windowsliveid", Text),
        c("azureactivedirectoryobjectid", Guid),
        c("azurestate", choice(options::AZURE_STATE)),
        c("deletedstate", choice(options::DELETED_STATE)),
        c("isdisabled", Bool),
        c("accessmode", choice(options::ACCESS_MODE)),
        c("islicensed", Bool),
        c("applicationid", Guid),
        c("_defaultmailbox_value", ColKind::Lookup(&DEFAULT_MAILBOX)),
        c("emailrouteraccessapproval", choice(options::APPROVAL)),
        c("isemailaddressapprovedbyo365admin", Bool),
        c("incomingemaildeliverymethod", choice(options::INCOMING_DELIVERY)),
        c("outgoingemaildeliverymethod", choice(options::OUTGOING_DELIVERY)),
    ],
};

pub static QUEUE: Entity = Entity {
    logical: "queue",
    set: "queues",
    key: "queueid",
    primary_name: "name",
    indexed: &["queueid", "emailaddress"],
    columns: &[
        c("queueid", Guid),
        c("name", Text),
        c("emailaddress", Text),
        c("_defaultmailbox_value", ColKind::Lookup(&DEFAULT_MAILBOX)),
        c("statecode", choice(options::STATE)),
    ],
};

pub static TRACELOG: Entity = Entity {
    logical: "tracelog",
    set: "tracelogs",
    key: "tracelogid",
    primary_name: "text",
    indexed: &["tracelogid", "_regardingobjectid_value"],
    columns: &[
        c("tracelogid", Guid),
        c("text", Text),
        c("tracecode", Int),
        c("level", choice(options::TRACE_LEVEL)),
        c("_regardingobjectid_value", ColKind::Lookup(&TRACE_REGARDING)),
        c("regardingobjecttypecode", Text),
        c("errordetails", Text),
        c("errortypedisplay", Text),
        c("machinename", Text),
        c("tracedetailxml", Text),
        c("traceparameterxml", Text),
        c("tracestatus", Bool),
        c("createdon", DateTime),
        c("modifiedon", DateTime),
    ],
};

pub static ORGANIZATION: Entity = Entity {
    logical: "organization",
    set: "organizations",
    key: "organizationid",
    primary_name: "name",
    indexed: &["organizationid"],
    columns: &[
        c("organizationid", Guid),
        c("name", Text),
        c(
            "_defaultemailserverprofileid_value",
            ColKind::Lookup(&ORG_PROFILE),
        ),
        c("emailconnectionchannel", choice(options::CONNECTION_CHANNEL)),
        c("requireapprovalforuseremail", Bool),
        c("requireapprovalforqueueemail", Bool),
    ],
};

pub static ENTITIES: [&Entity; 6] = [&MAILBOX, &PROFILE, &SYSTEMUSER, &QUEUE, &TRACELOG, &ORGANIZATION];
