//! Every credential of the chain, end to end against the simulated tenant: certificate (PEM
//! and PFX), workload identity, managed identity (both endpoints), and the chain's order and
//! error listing.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::*;
use secrecy::SecretString;
use ssync_core::DataSource;
use ssync_m365::{ConnectError, Credential, LiveSource, ManagedIdentity};
use ssync_sim::{Knobs, Scenario, Sim};

fn temp(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ssync-credentials-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

async fn signs_in(sim: &Sim, credential: Credential, client_id: &str) -> Result<LiveSource, ConnectError> {
    let mut s = settings(sim);
    s.credential = credential;
    s.client_id = client_id.to_owned();
    let source = LiveSource::connect(s, quick()).await?;
    let env = source.environment().await.expect("the environment is read");
    assert_eq!(env.tenant_id, sim.tenant_id);
    Ok(source)
}

fn pfx(bytes: &[u8], name: &str, password: &str) -> Credential {
    Credential::Certificate {
        path: temp(name, bytes),
        password: Some(SecretString::from(password.to_owned())),
    }
}

#[tokio::test]
async fn a_pfx_with_its_password_signs_in_in_both_encodings() {
    let sim = sim(Scenario::contoso(), Knobs::default()).await;
    for (bytes, name) in [
        (ssync_sim::TEST_PFX, "app.pfx"),
        (ssync_sim::TEST_PFX_LEGACY, "legacy.pfx"),
    ] {
        signs_in(
            &sim,
            pfx(bytes, name, ssync_sim::TEST_PFX_PASSWORD),
            &sim.client_id,
        )
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let err = signs_in(
        &sim,
        pfx(ssync_sim::TEST_PFX, "wrong.pfx", "not-the-password"),
        &sim.client_id,
    )
    .await
    .unwrap_err();
    let text = err.to_string();
    assert_eq!(err.exit_code(), 2, "{text}");
    assert!(
        text.contains("AZURE_CLIENT_CERTIFICATE_PASSWORD") && !text.contains("not-the-password"),
        "{text}"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_pem_certificate_signs_in_with_a_ps256_assertion() {
    let sim = sim(Scenario::contoso(), Knobs::default()).await;
    let pem = format!(
        "{}{}",
        sim.certificate_pem.clone().unwrap(),
        sim.private_key_pem.clone().unwrap()
    );
    let credential = Credential::Certificate {
        path: temp("app.pem", pem.as_bytes()),
        password: None,
    };
    signs_in(&sim, credential, &sim.client_id).await.unwrap();
    sim.shutdown().await;
}

#[tokio::test]
async fn workload_identity_sends_the_federated_token_and_names_a_mismatch() {
    let sim = sim(Scenario::contoso(), Knobs::default()).await;
    let hour = Duration::from_secs(3600);
    let good = ssync_sim::federated_token(ssync_sim::FEDERATED_SUBJECT, ssync_sim::FEDERATED_AUDIENCE, hour);
    let credential = Credential::WorkloadIdentity {
        token_file: temp("federated-good", good.as_bytes()),
    };
    signs_in(&sim, credential, &sim.client_id).await.unwrap();

    let other = ssync_sim::federated_token(
        "repo:someone/else:ref:refs/heads/main",
        ssync_sim::FEDERATED_AUDIENCE,
        hour,
    );
    let credential = Credential::WorkloadIdentity {
        token_file: temp("federated-other", other.as_bytes()),
    };
    match signs_in(&sim, credential, &sim.client_id).await.unwrap_err() {
        ConnectError::Auth { code, advice } => {
            assert_eq!(code.as_deref(), Some("AADSTS700213"));
            assert!(advice.contains("Federated credentials"), "{advice}");
            assert!(
                advice.contains("trace id") && advice.contains("correlation id"),
                "{advice}"
            );
            assert!(!advice.contains(&other), "the token is never quoted");
        }
        other => panic!("{other:?}"),
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn managed_identity_through_the_metadata_service_and_the_app_service_endpoint() {
    let sim = sim(Scenario::contoso(), Knobs::default()).await;
    let imds = Credential::ManagedIdentity(ManagedIdentity::Imds {
        base: sim.imds_base(),
    });
    // System-assigned: no client id at all.
    signs_in(&sim, imds, "").await.unwrap();
    let app_service = Credential::ManagedIdentity(ManagedIdentity::AppService {
        endpoint: sim.identity_endpoint(),
        header: SecretString::from(ssync_sim::MANAGED_IDENTITY_HEADER.to_owned()),
    });
    // User-assigned: the identity's client id.
    signs_in(&sim, app_service, &sim.client_id).await.unwrap();

    let wrong_header = Credential::ManagedIdentity(ManagedIdentity::AppService {
        endpoint: sim.identity_endpoint(),
        header: SecretString::from("stale".to_owned()),
    });
    let err = signs_in(&sim, wrong_header, "").await.unwrap_err().to_string();
    assert!(err.contains("IDENTITY_HEADER") && !err.contains("stale"), "{err}");
    let unassigned = Credential::ManagedIdentity(ManagedIdentity::Imds {
        base: sim.imds_base(),
    });
    let err = signs_in(&sim, unassigned, "00000000-0000-0000-0000-0000000000aa")
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("AZURE_CLIENT_ID"), "{err}");
    sim.shutdown().await;
}

#[tokio::test]
async fn the_chain_moves_past_what_is_not_there_and_lists_what_it_tried() {
    let sim = sim(Scenario::contoso(), Knobs::default()).await;
    // Nothing answers on port 9 of loopback: no managed identity here.
    let absent = Credential::ManagedIdentity(ManagedIdentity::Imds {
        base: "http://127.0.0.1:9".into(),
    });
    let chain = Credential::Chain(vec![
        absent.clone(),
        Credential::Secret(sim.client_secret.clone().into()),
    ]);
    signs_in(&sim, chain, &sim.client_id).await.unwrap();

    // A configured credential that is refused ends the chain with its own error.
    let chain = Credential::Chain(vec![
        Credential::Secret("wrong".to_owned().into()),
        Credential::ManagedIdentity(ManagedIdentity::Imds {
            base: sim.imds_base(),
        }),
    ]);
    match signs_in(&sim, chain, &sim.client_id).await.unwrap_err() {
        ConnectError::Auth { code, .. } => assert_eq!(code.as_deref(), Some("AADSTS7000215")),
        other => panic!("{other:?}"),
    }

    // Nothing configured and nothing found: missing input, each attempt named.
    // (The Azure CLI is tested through the binary, with a stand-in `az` on PATH.)
    let also_absent = Credential::ManagedIdentity(ManagedIdentity::AppService {
        endpoint: "http://127.0.0.1:9/msi/token".into(),
        header: SecretString::from("h".to_owned()),
    });
    let chain = Credential::Chain(vec![absent, also_absent]);
    let err = signs_in(&sim, chain, "").await.unwrap_err();
    assert_eq!(err.exit_code(), 2, "{err}");
    let text = err.to_string();
    for needle in [
        "1. managed-identity",
        "2. managed-identity",
        "AZURE_CLIENT_SECRET",
        "az login",
    ] {
        assert!(text.contains(needle), "{needle}: {text}");
    }
    sim.shutdown().await;
}
