//! Usage packs (流量包 / 短信包, DOMAIN.md 7): prepaid units sold as a ladder where the more is
//! bought the cheaper each unit, held in wallets of paid and bonus units that burn bonus first,
//! then paid, oldest first, and expire.
//!
//! - [`PackLadder`] compiles the playbook's `packs` section: every [`Pack`] with its effective
//!   unit price and discount, explained; [`PackLadder::purchase`] makes the [`Wallet`] a purchase
//!   creates.
//! - [`Wallet::consume`] takes a [`PackUsage`] from the wallets and explains every unit taken
//!   ([`Consumption`]).

mod documents;
mod ladder;
#[cfg(test)]
mod tests;
mod wallet;

pub use documents::{consume_json, pack_ladder_json, purchase_json};
pub use ladder::{Pack, PackLadder, UNIT_PRICE_DECIMALS};
pub use wallet::{Consumption, ConsumptionLine, CreditKind, Expiry, PackUsage, Wallet};

/// The examples of `docs/packs.md`, run as doctests so the guide cannot drift from the code.
#[cfg(doctest)]
#[doc = include_str!("../../../../docs/packs.md")]
struct PacksGuide;
