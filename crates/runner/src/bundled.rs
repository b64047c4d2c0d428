//! The bundled check crates, named once each so the linker keeps their `inventory`
//! registrations. A crate listed in Cargo.toml but not here is silently dropped;
//! `tests/registry.rs` catches that. `cargo xtask new-check` adds a line here.

use ssync_check_cross_tenant_exchange as _;
use ssync_check_ews_basic_auth_disabled as _;
use ssync_check_exchange_online_basic_auth as _;
use ssync_check_hybrid_profile_for_online_mailbox as _;
use ssync_check_mailbox_address_mismatch as _;
use ssync_check_missing_exchange_online_license as _;
use ssync_check_recreated_user as _;
