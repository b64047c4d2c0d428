//! Discovery of checks through `inventory`.
//!
//! A check crate registers with [`register_check!`](crate::register_check). A crate that the
//! final binary never references is not linked, and its registration vanishes silently, so a
//! runner must name every check crate once (`use ssync_check_x as _;`) and test the set of
//! ids it finds.

use std::collections::BTreeMap;

use crate::check::{Check, CheckMeta};

/// One registered check: the check and the crate that registered it.
pub struct Registration {
    /// The registering crate's package name (filled in by [`register_check!`](crate::register_check)).
    pub crate_name: &'static str,
    pub check: &'static dyn Check,
}

impl Registration {
    pub fn meta(&self) -> &'static CheckMeta {
        self.check.meta()
    }
}

inventory::collect!(Registration);

/// Registers a check with the runner. Takes a constant expression of a type that implements
/// [`Check`](crate::Check), usually a unit struct:
///
/// ```ignore
/// ssync_core::register_check!(MyCheck);
/// ```
#[macro_export]
macro_rules! register_check {
    ($check:expr) => {
        $crate::inventory::submit! {
            $crate::Registration { crate_name: env!("CARGO_PKG_NAME"), check: &$check }
        }
    };
}

/// Why the set of registered checks is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    #[error(
        "check id `{id}` is registered twice: by crate `{first}` and by crate `{second}`; rename one of them"
    )]
    Duplicate {
        id: String,
        first: String,
        second: String,
    },
    #[error(
        "check id `{id}` registered by crate `{crate_name}` is malformed: ids are lower-case kebab-case (letters, digits and single hyphens, starting with a letter)"
    )]
    Malformed { id: String, crate_name: String },
    #[error(
        "check `{id}` registered by crate `{crate_name}` declares the reason `{reason}`: reasons are lower-case kebab-case like ids"
    )]
    MalformedReason {
        id: String,
        crate_name: String,
        reason: String,
    },
    #[error("check `{id}` registered by crate `{crate_name}` has an empty {field}")]
    Incomplete {
        id: String,
        crate_name: String,
        field: &'static str,
    },
}

/// True for lower-case kebab-case: `[a-z][a-z0-9]*(-[a-z0-9]+)*`.
pub fn is_valid_id(id: &str) -> bool {
    let starts_with_letter = id.bytes().next().is_some_and(|b| b.is_ascii_lowercase());
    starts_with_letter
        && id.split('-').all(|part| {
            !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Every check linked into this binary, sorted by id, after validating ids and metadata.
pub fn registered_checks() -> Result<Vec<&'static Registration>, RegistryError> {
    validate(inventory::iter::<Registration>.into_iter().collect())
}

/// Validates and sorts a set of registrations (separate from [`registered_checks`] so that it
/// can be tested with hand-made registrations).
pub fn validate(regs: Vec<&'static Registration>) -> Result<Vec<&'static Registration>, RegistryError> {
    let mut by_id: BTreeMap<&'static str, &'static Registration> = BTreeMap::new();
    for reg in regs {
        let meta = reg.meta();
        if !is_valid_id(meta.id) {
            return Err(RegistryError::Malformed {
                id: meta.id.to_owned(),
                crate_name: reg.crate_name.to_owned(),
            });
        }
        for (field, value) in [
            ("title", meta.title),
            ("summary", meta.summary),
            ("explain", meta.explain),
            ("remediation", meta.remediation),
        ] {
            if value.trim().is_empty() {
                return Err(RegistryError::Incomplete {
                    id: meta.id.to_owned(),
                    crate_name: reg.crate_name.to_owned(),
                    field,
                });
            }
        }
        if let Some(reason) = meta.reasons.iter().find(|r| !is_valid_id(r)) {
            return Err(RegistryError::MalformedReason {
                id: meta.id.to_owned(),
                crate_name: reg.crate_name.to_owned(),
                reason: (*reason).to_owned(),
            });
        }
        if let Some(first) = by_id.insert(meta.id, reg) {
            let (a, b) = ordered(first.crate_name, reg.crate_name);
            return Err(RegistryError::Duplicate {
                id: meta.id.to_owned(),
                first: a.to_owned(),
                second: b.to_owned(),
            });
        }
    }
    Ok(by_id.into_values().collect())
}

// Inventory's order is unspecified; name the crates in a stable order so the message is too.
fn ordered<'a>(a: &'a str, b: &'a str) -> (&'a str, &'a str) {
    if a <= b { (a, b) } else { (b, a) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    macro_rules! fake_check {
        ($ty:ident, $meta:ident, $id:expr) => {
            struct $ty;
            static $meta: CheckMeta = CheckMeta::new($id, "t")
                .severity(Severity::Info)
                .summary("s")
                .explain("e")
                .remediation("r");
            impl Declared for $ty {
                fn meta(&self) -> &'static CheckMeta {
                    &$meta
                }
            }
            #[async_trait]
            impl Check for $ty {
                async fn run(&self, _: &CheckContext<'_>, _: &Subject) -> Result<Outcome, SourceError> {
                    Ok(Outcome::pass("ok"))
                }
            }
        };
    }

    fake_check!(A, A_META, "acme-one");
    fake_check!(B, B_META, "acme-one");
    fake_check!(C, C_META, "Acme_Bad");
    fake_check!(D, D_META, "acme-two");

    static REG_A: Registration = Registration {
        crate_name: "crate-a",
        check: &A,
    };
    static REG_B: Registration = Registration {
        crate_name: "crate-b",
        check: &B,
    };
    static REG_C: Registration = Registration {
        crate_name: "crate-c",
        check: &C,
    };
    static REG_D: Registration = Registration {
        crate_name: "crate-d",
        check: &D,
    };

    #[test]
    fn duplicate_ids_name_both_crates() {
        let err = validate(vec![&REG_B, &REG_A])
            .err()
            .expect("duplicate must be rejected");
        let text = err.to_string();
        assert!(
            text.contains("acme-one") && text.contains("crate-a") && text.contains("crate-b"),
            "{text}"
        );
    }

    #[test]
    fn malformed_id_is_rejected_naming_the_crate() {
        let err = validate(vec![&REG_C])
            .err()
            .expect("malformed id must be rejected");
        assert!(err.to_string().contains("crate-c"));
    }

    #[test]
    fn valid_registrations_come_back_sorted() {
        let ids: Vec<_> = validate(vec![&REG_D, &REG_A])
            .unwrap()
            .iter()
            .map(|r| r.meta().id)
            .collect();
        assert_eq!(ids, ["acme-one", "acme-two"]);
    }

    #[test]
    fn id_grammar() {
        for ok in ["a", "mailbox-address-mismatch", "acme-x2"] {
            assert!(is_valid_id(ok), "{ok}");
        }
        for bad in ["", "-a", "a-", "a--b", "A", "2a", "a_b", "a b"] {
            assert!(!is_valid_id(bad), "{bad}");
        }
    }
}
