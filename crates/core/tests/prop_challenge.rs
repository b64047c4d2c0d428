//! Property tests for the `Bearer` challenge reader (`AuthChallenge::auth_params`,
//! `trusted_issuers`, `issuer_trusting`): it reads what a remote server sends, so it must never
//! panic, and a tenant must be found however the issuer list is quoted.

use proptest::prelude::*;
use ssync_core::records::AuthChallenge;

fn bearer(params: String) -> AuthChallenge {
    AuthChallenge {
        scheme: "Bearer".into(),
        params,
    }
}

fn guid() -> impl Strategy<Value = String> {
    "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
}

proptest! {
    #[test]
    fn any_text_reads_without_panic(params in any::<String>(), tenant in any::<String>()) {
        let c = bearer(params);
        for (name, _) in c.auth_params() {
            prop_assert!(!name.is_empty());
        }
        let _ = c.trusted_issuers();
        let _ = c.issuer_trusting(&tenant);
    }

    #[test]
    fn challenge_like_text_reads_without_panic(params in r#"[a-z_=", \\@*\t-]{0,60}"#) {
        let c = bearer(params);
        let _ = c.issuer_trusting("*");
        let _ = c.param("trusted_issuers");
    }

    #[test]
    fn the_tenant_is_found_quoted_or_not_among_others(
        tenant in guid(),
        others in prop::collection::vec(guid(), 0..4),
        position in 0usize..4,
        quoted in any::<bool>(),
    ) {
        let mut issuers: Vec<String> = others
            .iter()
            .filter(|o| **o != tenant)
            .map(|o| format!("00000001-0000-0000-c000-000000000000@{o}"))
            .collect();
        let at = position.min(issuers.len());
        issuers.insert(at, format!("00000001-0000-0000-c000-000000000000@{}", tenant.to_uppercase()));
        let list = issuers.join(",");
        let value = if quoted { format!("\"{list}\"") } else { list };
        let c = bearer(format!(
            "client_id=\"00000002-0000-0ff1-ce00-000000000000\", trusted_issuers={value}, token_types=\"app_asserted_user_v1\""
        ));
        prop_assert_eq!(c.trusted_issuers().len(), issuers.len());
        prop_assert!(c.issuer_trusting(&tenant).is_some());
        let token_types = c.param("token_types");
        prop_assert_eq!(token_types.as_deref(), Some("app_asserted_user_v1"));
    }

    #[test]
    fn another_tenant_is_not_trusted(tenant in guid(), other in guid()) {
        prop_assume!(tenant != other);
        let c = bearer(format!("trusted_issuers=\"00000001-0000-0000-c000-000000000000@{other}\""));
        prop_assert!(c.issuer_trusting(&tenant).is_none());
    }
}
