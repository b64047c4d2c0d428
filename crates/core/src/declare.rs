//! [`declare_check!`]: a check's one declaration.

/// Declares a check once: the unit struct, its `META` (from [`CheckMeta::new`] with the
/// fields given, `explain.md` and `remediation.md` of the crate's root picked up by
/// convention), the [`Declared`] impl and the registration. What is left to write is
/// `impl Check for … { async fn run(…) }`.
///
/// `id` and `title` come first; every other field of [`CheckMeta`] is optional and keeps its
/// default when left out (no cause, mailbox scope, error severity, nothing read). A field
/// given twice takes the last value, so `explain: "…"` overrides the file.
///
/// ```ignore
/// ssync_core::declare_check! {
///     /// Flags mailboxes that have no e-mail address.
///     pub struct MailboxHasAddress;
///     id: "acme-mailbox-has-address",
///     title: "Every mailbox has an e-mail address",
///     severity: Severity::Warning,
///     summary: "The mailbox record has no e-mail address.",
///     reads: &[DataNeed::Mailboxes],
/// }
/// ```
///
/// [`CheckMeta`]: crate::CheckMeta
/// [`CheckMeta::new`]: crate::CheckMeta::new
/// [`Declared`]: crate::Declared
#[macro_export]
macro_rules! declare_check {
    (
        $(#[$attr:meta])*
        $vis:vis struct $check:ident;
        id: $id:expr,
        title: $title:expr
        $(, $field:ident : $value:expr)* $(,)?
    ) => {
        $(#[$attr])*
        $vis struct $check;

        /// This check's metadata (`explain.md` and `remediation.md` are beside `Cargo.toml`).
        $vis static META: $crate::CheckMeta = $crate::CheckMeta::new($id, $title)
            .explain(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/explain.md")))
            .remediation(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/remediation.md")))
            $(.$field($value))*;

        impl $crate::Declared for $check {
            fn meta(&self) -> &'static $crate::CheckMeta {
                &META
            }
        }

        $crate::register_check!($check);
    };
}
