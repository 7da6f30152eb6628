//! The dapps an account connected (EIP-2255's `eth_accounts` permission):
//! a connected origin sees the account's address and may ask for
//! signatures, each of which the person still approves in Sigil. A
//! signature asked for by a dapp (`PrepareSignatureArgs::origin`) is
//! prepared only while that origin is connected.

use candid::{CandidType, Deserialize};

use super::{AccountNumber, Error, Timestamp};
use crate::method::method;

/// How long a connection lasts: 30 days; connecting again renews it.
pub const CONNECTION_TTL_NS: u64 = 30 * 24 * 60 * 60 * 1_000_000_000;
/// How many origins one account may have connected at once.
pub const MAX_CONNECTIONS_PER_ACCOUNT: usize = 64;

/// A connected origin.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Connection {
    /// As the browser names it (`https://dapp.example`).
    pub origin: String,
    pub connected_at: Timestamp,
    pub expires_at: Timestamp,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ConnectArgs {
    pub account: AccountNumber,
    pub origin: String,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ConnectionsArgs {
    pub account: AccountNumber,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct DisconnectArgs {
    pub account: AccountNumber,
    pub origin: String,
}

method!(
    /// Caller: a device of the account. Connects `origin` (or renews its
    /// connection) for [`CONNECTION_TTL_NS`].
    Connect = "connect", Update, ConnectArgs => Result<Connection, Error>
);
method!(
    /// Caller: a device of the account. Its live connections, newest
    /// first.
    GetConnections = "connections", Query, ConnectionsArgs => Result<Vec<Connection>, Error>
);
method!(
    /// Caller: a device of the account. Ends `origin`'s connection;
    /// whether there was one.
    Disconnect = "disconnect", Update, DisconnectArgs => Result<bool, Error>
);
