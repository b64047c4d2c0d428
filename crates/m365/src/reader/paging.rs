//! Reading a whole collection, `@odata.nextLink` after `@odata.nextLink`, with the next page
//! on the wire while the last one is decoded.
//!
//! The links form a chain: page k+1's address is only known once page k has arrived, so one
//! collection cannot be read faster than one request after another. What can overlap is the
//! work around each request. At 5,000 mailboxes a page takes about 20 ms to parse and 20 ms
//! to decode, as long as the server needs to produce it; done inline, that doubles the time of
//! the chain. So each page is parsed twice: once on the way, skipping everything but the
//! next link (no allocation), and once properly on a blocking thread, while the next request
//! is already out. At most [`DECODE_AHEAD`] pages wait for decoding, which bounds memory to a
//! few page bodies whatever the collection's size.

use std::collections::{HashSet, VecDeque};

use reqwest::Method;
use serde::Deserialize;
use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use ssync_core::SourceError;
use tokio::task::JoinHandle;
use url::Url;

use super::client::{Annotations, Client, asks_advanced_query};
use super::decode::Decoded;
use super::decode_all;
use crate::failure::{from_reply, malformed};
use crate::transport::Service;

/// Pages of one collection received but not yet decoded, at most.
const DECODE_AHEAD: usize = 2;

/// Where a read of pages stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Until {
    /// At the last page.
    End,
    /// At the page that brings this many items (a bound: what is left is logged).
    Items(usize),
    /// After the first page (the caller decides how to read the rest).
    FirstPage,
}

/// What the fetch loop needs of a page: whether it has items, and where the next one is.
#[derive(Deserialize)]
struct PageHead {
    value: Option<Items>,
    #[serde(rename = "@odata.nextLink")]
    next_link: Option<String>,
}

/// The items of a page, for the decoder.
#[derive(Deserialize)]
struct PageItems {
    value: Vec<Value>,
}

/// How many items a JSON value has if it is an array (`None` if it is not), found without
/// building it: the items are skipped.
struct Items(Option<usize>);

impl<'de> Deserialize<'de> for Items {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ItemsVisitor).map(Items)
    }
}

struct ItemsVisitor;

impl<'de> Visitor<'de> for ItemsVisitor {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut n = 0;
        while seq.next_element::<IgnoredAny>()?.is_some() {
            n += 1;
        }
        Ok(Some(n))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

type Decoding<T> = JoinHandle<Result<Vec<T>, SourceError>>;

/// What decodes one page's items into records, on a blocking thread.
fn page_decoder<T: 'static>(
    service: Service,
    what: &str,
    decode: fn(&Value) -> Decoded<T>,
) -> impl Fn(Vec<Value>) -> Result<Vec<T>, SourceError> + Clone + Send + 'static {
    let what = what.to_owned();
    move |values: Vec<Value>| decode_all(service, &what, &values, decode)
}

impl Client {
    /// Every item of a collection, following `@odata.nextLink` unchanged. A link to another
    /// origin, a link seen before, or more than `max_pages` pages is a malformed answer.
    pub(crate) async fn collect(
        &self,
        service: Service,
        first: Url,
        what: &str,
    ) -> Result<Vec<Value>, SourceError> {
        self.pages(service, first, what, Ok, |_, _| (), Until::End).await
    }

    /// The first `limit` items of a collection (in its order), reading no page past the one
    /// that reaches the limit: for collections that may be huge and are read newest first.
    pub(crate) async fn collect_decoded_at_most<T: Send + 'static>(
        &self,
        service: Service,
        first: Url,
        what: &str,
        decode: fn(&Value) -> Decoded<T>,
        limit: usize,
    ) -> Result<Vec<T>, SourceError> {
        let mut records = self
            .pages(
                service,
                first,
                what,
                page_decoder(service, what, decode),
                |_, _| (),
                Until::Items(limit),
            )
            .await?;
        records.truncate(limit);
        Ok(records)
    }

    /// Every record of a collection, decoded page by page: only a few pages of JSON are held
    /// at a time, so 100,000 records cost their decoded size, not that of their JSON trees.
    pub(crate) async fn collect_decoded<T: Send + 'static>(
        &self,
        service: Service,
        first: Url,
        what: &str,
        decode: fn(&Value) -> Decoded<T>,
    ) -> Result<Vec<T>, SourceError> {
        self.collect_decoded_noting(service, first, what, decode, |_, _| ())
            .await
    }

    /// [`Client::collect_decoded`], telling `first_page` how many items the first page holds
    /// and whether more pages follow, as soon as that page has arrived.
    pub(crate) async fn collect_decoded_noting<T: Send + 'static>(
        &self,
        service: Service,
        first: Url,
        what: &str,
        decode: fn(&Value) -> Decoded<T>,
        first_page: impl FnOnce(usize, bool),
    ) -> Result<Vec<T>, SourceError> {
        self.pages(
            service,
            first,
            what,
            page_decoder(service, what, decode),
            first_page,
            Until::End,
        )
        .await
    }

    /// The first page of a collection alone, decoded, and whether more pages follow;
    /// `first_page` is told as with [`Client::collect_decoded_noting`].
    pub(crate) async fn first_page_decoded<T: Send + 'static>(
        &self,
        service: Service,
        first: Url,
        what: &str,
        decode: fn(&Value) -> Decoded<T>,
        first_page: impl FnOnce(usize, bool),
    ) -> Result<(Vec<T>, bool), SourceError> {
        let mut more = false;
        let records = self
            .pages(
                service,
                first,
                what,
                page_decoder(service, what, decode),
                |items, next| {
                    more = next;
                    first_page(items, next);
                },
                Until::FirstPage,
            )
            .await?;
        Ok((records, more))
    }

    /// Reads the pages in order; each page's items go through `decode_page` on a blocking
    /// thread while the next page is fetched. Records come back in the collection's order.
    /// No page is requested past where `until` says.
    async fn pages<T: Send + 'static>(
        &self,
        service: Service,
        first: Url,
        what: &str,
        decode_page: impl Fn(Vec<Value>) -> Result<Vec<T>, SourceError> + Clone + Send + 'static,
        first_page: impl FnOnce(usize, bool),
        until: Until,
    ) -> Result<Vec<T>, SourceError> {
        let mut arrived = 0usize;
        let mut first_page = Some(first_page);
        let started = std::time::Instant::now();
        let max_pages = self.transport.options().max_pages;
        let mut records = Vec::new();
        let mut decoding: VecDeque<Decoding<T>> = VecDeque::new();
        let mut seen = HashSet::new();
        let advanced = asks_advanced_query(service, &first);
        let mut url = first;
        for page in 1..=max_pages {
            // An advanced query stays one on every page, whatever the next link keeps.
            let reply = self
                .send_with(service, Method::GET, &url, None, Annotations::Lookups, advanced)
                .await?;
            if !reply.is_success() {
                return Err(from_reply(service, what, &reply));
            }
            let head: PageHead = serde_json::from_slice(&reply.body)
                .map_err(|e| malformed(service, &reply, format!("not JSON ({e})")))?;
            let Some(Items(Some(items))) = head.value else {
                return Err(SourceError::Malformed {
                    service: service.name().to_owned(),
                    detail: format!("GET {}: the page of {what} has no \"value\" array", url.path()),
                });
            };
            if let Some(tell) = first_page.take() {
                tell(items, head.next_link.is_some());
            }
            arrived = arrived.saturating_add(items);
            self.transport.note_records(items);
            let decode_page = decode_page.clone();
            let body = reply.body;
            decoding.push_back(tokio::spawn(async move {
                let permit = decode_permits().acquire().await.ok();
                tokio::task::spawn_blocking(move || {
                    let _permit = permit;
                    // The head parsed, so the body is JSON with a `value` array.
                    let page: PageItems =
                        serde_json::from_slice(&body).map_err(|e| SourceError::Malformed {
                            service: service.name().to_owned(),
                            detail: format!("a page of a collection: {e}"),
                        })?;
                    decode_page(page.value)
                })
                .await
                .unwrap_or_else(|e| Err(decode_failed(service, &e)))
            }));
            while decoding.len() > DECODE_AHEAD {
                records.extend(finish(decoding.pop_front(), service).await?);
            }
            let stop = match until {
                Until::End => false,
                Until::Items(limit) => arrived >= limit,
                Until::FirstPage => true,
            };
            let next_link = head.next_link.as_deref().filter(|_| !stop);
            if let Until::Items(limit) = until
                && stop
                && head.next_link.is_some()
            {
                tracing::warn!(
                    what,
                    limit,
                    "stopped reading at the bound; older items are left out"
                );
            }
            match self.follow(service, &url, next_link, &mut seen)? {
                Some(next) => url = next,
                None => {
                    while !decoding.is_empty() {
                        records.extend(finish(decoding.pop_front(), service).await?);
                    }
                    tracing::debug!(
                        what,
                        pages = page,
                        records = records.len(),
                        ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
                        "collection read"
                    );
                    return Ok(records);
                }
            }
        }
        Err(SourceError::Malformed {
            service: service.name().to_owned(),
            detail: format!("{what}: more than {max_pages} pages; stopped following @odata.nextLink"),
        })
    }

    /// Where `@odata.nextLink` leads, if anywhere: refused when it leaves the service's origin
    /// (the token would go with it) or comes back to a page already read.
    fn follow(
        &self,
        service: Service,
        url: &Url,
        next: Option<&str>,
        seen: &mut HashSet<String>,
    ) -> Result<Option<Url>, SourceError> {
        let Some(next) = next else {
            return Ok(None);
        };
        let malformed = |detail: String| SourceError::Malformed {
            service: service.name().to_owned(),
            detail,
        };
        let next = url
            .join(next)
            .map_err(|e| malformed(format!("GET {}: unusable @odata.nextLink ({e})", url.path())))?;
        if next.origin() != self.base(service).origin() {
            return Err(malformed(format!(
                "GET {}: @odata.nextLink points to another host; not followed with a token",
                url.path()
            )));
        }
        if !seen.insert(next.as_str().to_owned()) || next == *url {
            return Err(malformed(format!(
                "GET {}: @odata.nextLink repeats a page already read",
                url.path()
            )));
        }
        Ok(Some(next))
    }
}

/// The records of the oldest page in decoding.
async fn finish<T>(handle: Option<Decoding<T>>, service: Service) -> Result<Vec<T>, SourceError> {
    let Some(handle) = handle else {
        return Ok(Vec::new());
    };
    handle.await.unwrap_or_else(|e| Err(decode_failed(service, &e)))
}

fn decode_failed(service: Service, e: &tokio::task::JoinError) -> SourceError {
    SourceError::Malformed {
        service: service.name().to_owned(),
        detail: format!("decoding a page failed unexpectedly ({e})"),
    }
}

/// Pages decoded at once, across every collection being read: one per core. A page's JSON
/// tree is several times the size of its text, and a run reading 20 ranges side by side
/// (12 of Graph users, 4 of mailboxes, 4 of system users) would otherwise build 40 trees at
/// once on a 2-core machine, for no gain in time: peak memory rose from 674 to 951 MiB at
/// 100,000 mailboxes before this bound. Pages waiting for a permit stay bytes.
fn decode_permits() -> &'static tokio::sync::Semaphore {
    static PERMITS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    PERMITS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        tokio::sync::Semaphore::new(cores)
    })
}
