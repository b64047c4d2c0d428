//! No secret and no token in `Debug` output, errors or logs: a known secret and the tokens
//! the simulated tenant issued are searched for in everything the source can print.

use std::io::Write;
use std::sync::{Arc, Mutex};

use ssync_core::{DataSource, RawService};
use tracing_subscriber::fmt::MakeWriter;

use crate::{ConnectError, Credential, LiveSource, Options, Settings};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn secrets_and_tokens_never_appear_in_debug_errors_or_logs() {
    let logs = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(logs.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let sim = ssync_sim::start(ssync_sim::Scenario::contoso(), ssync_sim::Knobs::default())
        .await
        .unwrap();
    let settings = Settings {
        org_url: sim.org_url.clone(),
        tenant_id: sim.tenant_id.clone(),
        client_id: sim.client_id.clone(),
        credential: Credential::Secret(sim.client_secret.clone().into()),
        authority_host: sim.authority_host.clone(),
        graph_url: sim.graph_url.clone(),
    };
    let mut printed = vec![format!("{settings:?}"), format!("{:?}", Options::default())];

    // A wrong, known secret: the error must not echo it.
    let known = "Kn0wn-S3cret-Value~that.must.never.show";
    let mut wrong = settings.clone();
    wrong.credential = Credential::Secret(known.to_owned().into());
    printed.push(format!("{wrong:?}"));
    let err: ConnectError = LiveSource::connect(wrong, Options::default()).await.unwrap_err();
    printed.push(format!("{err} {err:?}"));

    let source = LiveSource::connect(settings, Options::default()).await.unwrap();
    printed.push(format!("{source:?}"));
    for result in [
        source
            .raw_get(RawService::Graph, "no-such-collection")
            .await
            .map(|_| ()),
        source
            .raw_get(RawService::Dataverse, "no_such_entities")
            .await
            .map(|_| ()),
        source
            .ews_probe("https://outlook.office365.com/EWS/Exchange.asmx")
            .await
            .map(|_| ()),
        source.domain_tenant("fabrikam.com").await.map(|_| ()),
        source.environment().await.map(|_| ()),
    ] {
        printed.push(format!("{result:?}"));
        if let Err(e) = result {
            printed.push(e.to_string());
        }
    }
    let tokens = source.reader.identity().cached_tokens().await;
    assert_eq!(tokens.len(), 2, "both tokens were issued");
    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("obtained an access token"),
        "logs were captured: {logs}"
    );
    printed.push(logs);

    for text in &printed {
        for needle in [known, sim.client_secret.as_str()]
            .into_iter()
            .chain(tokens.iter().map(String::as_str))
        {
            assert!(!text.contains(needle), "a secret or token leaked into: {text}");
        }
    }
    sim.shutdown().await;
}
