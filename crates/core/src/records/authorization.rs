//! A profile's OAuth application settings and the result of its last authorisation test, as
//! Dataverse records them on the e-mail server profile row.
//!
//! Columns and option values follow Microsoft's emailserverprofile table reference,
//! <https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/emailserverprofile>
//! (`oauthclientid`, `isoauthclientsecretset`, `lastauthorizationstatus`: 0 Failure, 1 Success;
//! `lastcrmmessage`, `lastteststarttime`). `oauthclientsecret` itself is not readable and is
//! never asked for.

use serde::{Deserialize, Serialize};

/// `lastauthorizationstatus`: the result of the profile's last authorisation test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthorizationStatus {
    /// 0 — Failure.
    Failure,
    /// 1 — Success.
    Success,
    /// A value the reference does not list.
    Unknown(i32),
}

impl From<i32> for AuthorizationStatus {
    fn from(v: i32) -> Self {
        match v {
            0 => Self::Failure,
            1 => Self::Success,
            n => Self::Unknown(n),
        }
    }
}

impl AuthorizationStatus {
    pub fn value(self) -> i32 {
        match self {
            Self::Failure => 0,
            Self::Success => 1,
            Self::Unknown(n) => n,
        }
    }

    /// "failure", "success" or "unknown (7)", for reports.
    pub fn label(self) -> String {
        match self {
            Self::Failure => "failure".into(),
            Self::Success => "success".into(),
            Self::Unknown(n) => format!("unknown ({n})"),
        }
    }
}

/// A profile's application credentials (for OAuth with Microsoft Entra ID) and its last
/// authorisation test. Every column may be empty on a real row, so each one is optional; a
/// record from a bundle written before these were read has them all `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct ProfileAuthorization {
    /// `oauthclientid`: the application (client) id the profile signs in with.
    pub client_id: Option<String>,
    /// `isoauthclientsecretset`: whether a client secret is stored (the secret is not readable).
    pub secret_set: Option<bool>,
    /// `lastauthorizationstatus`.
    pub last_status: Option<AuthorizationStatus>,
    /// `lastcrmmessage`: the last message Dynamics 365 recorded for the profile's test.
    pub last_message: Option<String>,
    /// `lastteststarttime` (RFC 3339, as Dataverse sends it).
    pub last_test_start: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_values_follow_the_table_reference() {
        assert_eq!(AuthorizationStatus::from(0), AuthorizationStatus::Failure);
        assert_eq!(AuthorizationStatus::from(1), AuthorizationStatus::Success);
        assert_eq!(AuthorizationStatus::from(5), AuthorizationStatus::Unknown(5));
        for v in [0, 1, 9] {
            assert_eq!(AuthorizationStatus::from(v).value(), v);
        }
    }

    #[test]
    fn absent_columns_read_as_nothing_known() {
        let a: ProfileAuthorization = serde_json::from_str("{}").unwrap();
        assert_eq!(a, ProfileAuthorization::default());
        let a: ProfileAuthorization =
            serde_json::from_str(r#"{"secret_set":false,"last_status":"failure"}"#).unwrap();
        assert_eq!(a.secret_set, Some(false));
        assert_eq!(a.last_status, Some(AuthorizationStatus::Failure));
        assert_eq!(a.client_id, None);
    }

    /// A profile recorded in a bundle before these columns were read still loads.
    #[test]
    fn a_profile_of_an_earlier_bundle_loads_with_nothing_known() {
        let mut old = serde_json::to_value(crate::fixtures::exchange_online_profile("p")).unwrap();
        old.as_object_mut().unwrap().remove("authorization");
        let p: crate::records::EmailServerProfile = serde_json::from_value(old).unwrap();
        assert_eq!(p.authorization, ProfileAuthorization::default());
    }
}
