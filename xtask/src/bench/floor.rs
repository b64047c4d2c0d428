//! The request floor: the fewest requests a whole run (`run --all`, every check) can make
//! against a tenant of a given shape, reading each collection once in pages of the largest
//! size the service allows. The benchmark prints it beside the measured count, and
//! "floor pages × latency" is the baseline time of reading everything once in sequence.

use std::time::Duration;

use ssync_sim::RouteKind;

use super::Speeds;

/// Dataverse's largest page (`Prefer: odata.maxpagesize`).
pub const DATAVERSE_PAGE: u64 = 5000;
/// Graph's largest `$top` for users and deleted items.
pub const GRAPH_PAGE: u64 = 999;
/// Requests per Graph `$batch`.
pub const GRAPH_BATCH: u64 = 20;

/// What a tenant holds, as far as the number of reads is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub mailboxes: u64,
    /// Mailboxes owned by a queue; when none is, the queues need not be read at all.
    pub queue_mailboxes: u64,
    pub system_users: u64,
    pub queues: u64,
    pub profiles: u64,
    pub alerts: u64,
    pub entra_users: u64,
    pub deleted_users: u64,
    /// Distinct mail domains of the mailboxes (one OpenID discovery each).
    pub domains: u64,
    /// Distinct on-premises EWS endpoints on the profiles (one unauthenticated probe each).
    pub ews_servers: u64,
    /// Mailboxes on Exchange Server (Hybrid) profiles: their owners' mailbox settings are
    /// read, 20 per `$batch`.
    pub hybrid_mailboxes: u64,
}

impl Shape {
    /// `ssync_sim::Scenario::generated(n)`: n users, each with a system user and a mailbox in
    /// Exchange Online on the one Exchange Online profile, all in one domain; plus the
    /// application user. No queue, alert, deleted user, EWS server or hybrid profile.
    pub fn generated(n: u64) -> Shape {
        Shape {
            mailboxes: n,
            queue_mailboxes: 0,
            system_users: n + 1,
            queues: 0,
            profiles: 1,
            alerts: 0,
            entra_users: n,
            deleted_users: 0,
            domains: 1,
            ews_servers: 0,
            hybrid_mailboxes: 0,
        }
    }
}

/// Requests per service at the floor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Floor {
    /// Two tokens (Dataverse and Graph audiences) and one OpenID discovery per domain.
    pub identity: u64,
    pub dataverse: u64,
    pub graph: u64,
    pub ews: u64,
}

impl Floor {
    pub fn total(&self) -> u64 {
        self.identity + self.dataverse + self.graph + self.ews
    }
}

/// Pages needed to read `records` (an empty collection still takes one request to learn so).
pub fn pages(records: u64, page: u64) -> u64 {
    records.div_ceil(page).max(1)
}

pub fn floor(s: &Shape) -> Floor {
    let dv = |n| pages(n, DATAVERSE_PAGE);
    let queues = if s.queue_mailboxes > 0 { dv(s.queues) } else { 0 };
    Floor {
        identity: 2 + s.domains,
        // RetrieveCurrentOrganization, then each table once.
        dataverse: 1 + dv(s.mailboxes) + dv(s.profiles) + dv(s.system_users) + queues + dv(s.alerts),
        graph: pages(s.entra_users, GRAPH_PAGE)
            + pages(s.deleted_users, GRAPH_PAGE)
            + s.hybrid_mailboxes.div_ceil(GRAPH_BATCH),
        ews: s.ews_servers,
    }
}

/// The floor's requests, each at its route's latency, one after another: reading everything
/// once in sequence.
pub fn baseline(s: &Shape, speeds: &Speeds) -> Duration {
    let f = floor(s);
    let dv_pages = f.dataverse - 1;
    let users_pages = pages(s.entra_users, GRAPH_PAGE);
    speeds.of(RouteKind::Token) * 2
        + speeds.of(RouteKind::Other) * to_u32(s.domains + 1 + (f.graph - users_pages) + f.ews)
        + speeds.of(RouteKind::DataversePage) * to_u32(dv_pages)
        + speeds.of(RouteKind::GraphUsersPage) * to_u32(users_pages)
}

/// The longest chains of dependent pages: each page of a collection waits for the previous
/// one's next link, so however many requests run side by side, a run takes at least a token
/// and its longest chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chains {
    /// Graph users read as one chain of 999-user pages (the unsplit read).
    pub graph_users: Duration,
    /// The longest Dataverse collection read as one chain of pages (its paging cookies give
    /// no way to jump ahead; the client cuts the table by key instead, `key_ranges`).
    pub dataverse: Duration,
}

impl Chains {
    /// The parallel floor of a client that does not split the Graph users chain.
    pub fn unsplit(&self, token: Duration) -> Duration {
        token + self.graph_users.max(self.dataverse)
    }

    /// The floor once only the Graph users chain is split into enough ranges: what is left is
    /// the longest Dataverse chain. A client that cuts the Dataverse tables by key as well
    /// goes below it.
    pub fn split(&self, token: Duration) -> Duration {
        token + self.dataverse
    }
}

pub fn chains(s: &Shape, speeds: &Speeds) -> Chains {
    let longest_table = [s.mailboxes, s.system_users, s.alerts, s.profiles]
        .into_iter()
        .chain((s.queue_mailboxes > 0).then_some(s.queues))
        .map(|n| pages(n, DATAVERSE_PAGE))
        .max()
        .unwrap_or(1);
    Chains {
        graph_users: speeds.of(RouteKind::GraphUsersPage) * to_u32(pages(s.entra_users, GRAPH_PAGE)),
        dataverse: speeds.of(RouteKind::DataversePage) * to_u32(longest_table),
    }
}

fn to_u32(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ssync_sim::RouteLatency;

    #[test]
    fn chains_at_real_speed_for_a_hundred_thousand_mailboxes() {
        let real = Speeds {
            other: RouteLatency::REAL_OTHER,
            routes: RouteLatency::real(),
        };
        let c = chains(&Shape::generated(100_000), &real);
        // 101 pages of 999 users at 1.5 s; 21 pages of 5,000 system users at 2 s.
        assert_eq!(c.graph_users, Duration::from_millis(151_500));
        assert_eq!(c.dataverse, Duration::from_secs(42));
        let token = real.of(RouteKind::Token);
        assert_eq!(c.unsplit(token), Duration::from_millis(151_800));
        assert_eq!(c.split(token), Duration::from_millis(42_300));
    }

    #[test]
    fn the_uniform_baseline_is_floor_requests_times_latency() {
        let fast = Speeds {
            other: Duration::from_millis(20),
            routes: RouteLatency::default(),
        };
        let s = Shape::generated(100_000);
        assert_eq!(
            baseline(&s, &fast),
            Duration::from_millis(20) * to_u32(floor(&s).total())
        );
    }

    #[test]
    fn pages_round_up_and_never_reach_zero() {
        assert_eq!(pages(0, 5000), 1);
        assert_eq!(pages(5000, 5000), 1);
        assert_eq!(pages(5001, 5000), 2);
        assert_eq!(pages(100_000, 999), 101);
    }

    #[test]
    fn generated_tenants() {
        // One mailbox: 2 tokens + 1 discovery; organization, mailboxes, profiles, system
        // users, trace logs; users and deleted users.
        let one = floor(&Shape::generated(1));
        assert_eq!(
            one,
            Floor {
                identity: 3,
                dataverse: 5,
                graph: 2,
                ews: 0
            }
        );
        // 100,000: 20 pages of mailboxes, 21 of system users (the application user is the
        // 100,001st), 101 pages of Entra users.
        let big = floor(&Shape::generated(100_000));
        assert_eq!(big.dataverse, 1 + 20 + 1 + 21 + 1);
        assert_eq!(big.graph, 101 + 1);
        assert_eq!(big.total(), 3 + 44 + 102);
    }

    #[test]
    fn queues_hybrid_mailboxes_and_ews_servers_add_their_reads() {
        let s = Shape {
            queue_mailboxes: 3,
            queues: 7,
            hybrid_mailboxes: 41,
            ews_servers: 2,
            domains: 3,
            ..Shape::generated(10)
        };
        let f = floor(&s);
        assert_eq!(f.identity, 5);
        assert_eq!(f.dataverse, 6);
        assert_eq!(f.graph, 1 + 1 + 3);
        assert_eq!(f.ews, 2);
    }
}
