//! Starting and stopping the simulated tenant: one loopback listener per service.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::response::Response;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::identity::TokenStore;
use crate::knobs::{Knobs, Service};
use crate::limiter::Limiter;
use crate::scenario::Scenario;
use crate::stats::{Recorder, Stats};
use crate::{dataverse, ews, gate, graph, identity};

/// Base URLs of the running services (no trailing slash).
#[derive(Debug, Clone)]
pub(crate) struct Urls {
    pub authority: String,
    pub org: String,
    pub graph: String,
    pub ews: String,
}

/// State shared by every handler.
pub(crate) struct Shared {
    pub scenario: Scenario,
    pub knobs: Knobs,
    pub urls: Urls,
    pub stats: Recorder,
    pub tokens: TokenStore,
    pub limiters: [Limiter; 4],
    pub penalty: crate::penalty::PenaltyClock,
    pub dataverse: dataverse::Store,
    pub graph: graph::Store,
}

/// Why the simulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("cannot bind a loopback port: {0}")]
    Bind(#[source] std::io::Error),
}

/// A running simulated tenant. [`Sim::shutdown`] stops it and waits for the servers to
/// finish; dropping it only asks them to stop.
pub struct Sim {
    /// Token endpoint host: `POST {authority_host}/{tenant}/oauth2/v2.0/token`.
    pub authority_host: String,
    /// Dataverse environment URL: Web API at `{org_url}/api/data/v9.2/`.
    pub org_url: String,
    /// Graph host: `{graph_url}/v1.0/`.
    pub graph_url: String,
    /// Base of the EWS servers: `{ews_url}/<server>/EWS/Exchange.asmx`.
    pub ews_url: String,
    /// The environment's tenant.
    pub tenant_id: String,
    /// The app registration the demo signs in with.
    pub client_id: String,
    /// Its secret (a simulator test value; never print it except in the `sim serve` hint).
    pub client_secret: String,
    /// The TEST-ONLY certificate registered for the app (`testdata/`): the token endpoint
    /// accepts client assertions signed with `private_key_pem`.
    pub certificate_pem: Option<String>,
    /// The TEST-ONLY private key matching `certificate_pem`. Public test data, not a secret
    /// of any real tenant; concatenate it with the certificate for a one-file PEM.
    pub private_key_pem: Option<String>,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for Sim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sim")
            .field("authority_host", &self.authority_host)
            .field("org_url", &self.org_url)
            .field("graph_url", &self.graph_url)
            .field("ews_url", &self.ews_url)
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl Sim {
    pub fn stats(&self) -> Stats {
        self.shared.stats.snapshot()
    }

    /// The simulated App Service managed identity endpoint (`IDENTITY_ENDPOINT`); its header
    /// (`IDENTITY_HEADER`) is [`crate::MANAGED_IDENTITY_HEADER`].
    pub fn identity_endpoint(&self) -> String {
        format!("{}/msi/token", self.authority_host)
    }

    /// The base that stands in for the instance metadata service's `http://169.254.169.254`.
    pub fn imds_base(&self) -> String {
        self.authority_host.clone()
    }

    /// The URL of a scenario EWS server.
    pub fn ews_server_url(&self, server: &str) -> String {
        format!("{}/{server}/EWS/Exchange.asmx", self.ews_url)
    }

    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for t in std::mem::take(&mut self.tasks) {
            let _ = t.await;
        }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Starts every service on 127.0.0.1 with ephemeral ports.
pub async fn start(scenario: Scenario, knobs: Knobs) -> Result<Sim, SimError> {
    let mut listeners = Vec::new();
    for _ in Service::ALL {
        listeners.push(TcpListener::bind("127.0.0.1:0").await.map_err(SimError::Bind)?);
    }
    let url = |l: &TcpListener| -> Result<String, SimError> {
        Ok(format!("http://{}", l.local_addr().map_err(SimError::Bind)?))
    };
    let urls = Urls {
        authority: url(&listeners[Service::Identity.index()])?,
        org: url(&listeners[Service::Dataverse.index()])?,
        graph: url(&listeners[Service::Graph.index()])?,
        ews: url(&listeners[Service::Ews.index()])?,
    };
    let dataverse = dataverse::Store::build(&scenario, &urls, knobs.noise_traces);
    let graph = graph::Store::build(&scenario);
    let shared = Arc::new(Shared {
        knobs,
        urls: urls.clone(),
        stats: Recorder::default(),
        tokens: TokenStore::default(),
        limiters: Default::default(),
        penalty: Default::default(),
        dataverse,
        graph,
        scenario,
    });

    let (stop, stopped) = watch::channel(false);
    let mut tasks = Vec::new();
    for (service, listener) in Service::ALL.into_iter().zip(listeners) {
        let app = Router::new()
            .fallback(dispatch)
            .with_state((shared.clone(), service));
        let mut stopped = stopped.clone();
        tasks.push(tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.wait_for(|s| *s).await;
            };
            if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(shutdown).await {
                tracing::warn!(service = service.name(), error = %e, "simulated service stopped");
            }
        }));
    }
    tracing::debug!(
        authority = %urls.authority,
        org = %urls.org,
        graph = %urls.graph,
        ews = %urls.ews,
        "simulated tenant started"
    );
    Ok(Sim {
        authority_host: urls.authority.clone(),
        org_url: urls.org.clone(),
        graph_url: urls.graph.clone(),
        ews_url: urls.ews.clone(),
        tenant_id: shared.scenario.environment.tenant_id.clone(),
        client_id: shared.scenario.app.client_id.clone(),
        client_secret: shared.scenario.app.client_secret.clone(),
        certificate_pem: Some(crate::assertion::TEST_CERTIFICATE_PEM.to_owned()),
        private_key_pem: Some(crate::assertion::TEST_PRIVATE_KEY_PEM.to_owned()),
        shared,
        stop,
        tasks,
    })
}

async fn dispatch(State((shared, service)): State<(Arc<Shared>, Service)>, req: Request) -> Response {
    match service {
        Service::Identity => gate::around(shared, service, req, identity::handle).await,
        Service::Dataverse => gate::around(shared, service, req, dataverse::handle).await,
        Service::Graph => gate::around(shared, service, req, graph::handle).await,
        Service::Ews => gate::around(shared, service, req, ews::handle).await,
    }
}
