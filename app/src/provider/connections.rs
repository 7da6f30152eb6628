//! The dapps a person connected (EIP-2255's `eth_accounts` permission):
//! for each account on this device, the origins it approved, each until
//! its expiry. The Sigil window grants and checks them; the wallet lists
//! them and revokes them. Kept as JSON in this browser's storage; a copy
//! that cannot be read counts as no connection at all, so a broken store
//! can only ask the person again, never grant anything.
//!
//! Invariants: a connection belongs to one account (another account signed
//! in on the same device inherits none); an expired one is never live and
//! is dropped on the next change; at most [`MAX_CONNECTIONS`] are kept, the
//! oldest going first.

use serde::{Deserialize, Serialize};

/// How long a connection lasts: 30 days.
pub const CONNECTION_TTL_MS: u64 = 30 * 24 * 60 * 60 * 1000;
/// How many connections a device keeps, over all its accounts.
pub const MAX_CONNECTIONS: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    pub origin: String,
    pub account: u64,
    /// The account's EVM address, as the dapp receives it.
    pub address: String,
    /// Milliseconds since the epoch.
    pub granted_at: u64,
    pub expires_at: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connections {
    connections: Vec<Connection>,
}

impl Connections {
    /// What storage held; nothing for a missing or unreadable copy.
    pub fn from_json(text: Option<&str>) -> Self {
        text.and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or_default()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Connects `origin` to `account` (at `address`) from `now`, replacing
    /// an earlier connection of the same pair.
    pub fn grant(&mut self, origin: &str, account: u64, address: &str, now: u64) -> Connection {
        self.connections
            .retain(|c| c.expires_at > now && !(c.origin == origin && c.account == account));
        let connection = Connection {
            origin: origin.to_owned(),
            account,
            address: address.to_owned(),
            granted_at: now,
            expires_at: now.saturating_add(CONNECTION_TTL_MS),
        };
        self.connections.push(connection.clone());
        if self.connections.len() > MAX_CONNECTIONS {
            self.connections.sort_by_key(|c| c.granted_at);
            let excess = self.connections.len() - MAX_CONNECTIONS;
            self.connections.drain(..excess);
        }
        connection
    }

    /// `origin`'s live connection to `account`.
    pub fn live(&self, origin: &str, account: u64, now: u64) -> Option<&Connection> {
        self.connections
            .iter()
            .find(|c| c.origin == origin && c.account == account && c.expires_at > now)
    }

    /// `account`'s live connections, newest first.
    pub fn of_account(&self, account: u64, now: u64) -> Vec<Connection> {
        let mut live: Vec<Connection> = self
            .connections
            .iter()
            .filter(|c| c.account == account && c.expires_at > now)
            .cloned()
            .collect();
        live.sort_by_key(|c| std::cmp::Reverse(c.granted_at));
        live
    }

    /// Ends `origin`'s connection to `account`; whether there was one.
    pub fn revoke(&mut self, origin: &str, account: u64) -> bool {
        let before = self.connections.len();
        self.connections
            .retain(|c| !(c.origin == origin && c.account == account));
        self.connections.len() != before
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAPP: &str = "https://dapp.example";
    const OTHER: &str = "https://other.example";
    const ADDRESS: &str = "0x5B38Da6a701c568545dCfcB03FcB875f56beddC4";

    #[test]
    fn should_connect_an_origin_to_one_account_until_it_expires() {
        let mut connections = Connections::default();
        connections.grant(DAPP, 7, ADDRESS, 1_000);
        let live = connections.live(DAPP, 7, 1_001).expect("connected");
        assert_eq!(live.address, ADDRESS);
        assert_eq!(live.expires_at, 1_000 + CONNECTION_TTL_MS);
        assert_eq!(connections.live(OTHER, 7, 1_001), None, "another origin");
        assert_eq!(connections.live(DAPP, 8, 1_001), None, "another account");
        assert_eq!(
            connections.live(DAPP, 7, 1_000 + CONNECTION_TTL_MS),
            None,
            "expired"
        );
    }

    #[test]
    fn should_revoke_one_origin_only() {
        let mut connections = Connections::default();
        connections.grant(DAPP, 7, ADDRESS, 1);
        connections.grant(OTHER, 7, ADDRESS, 2);
        assert!(connections.revoke(DAPP, 7));
        assert!(!connections.revoke(DAPP, 7));
        assert_eq!(connections.live(DAPP, 7, 3), None);
        assert!(connections.live(OTHER, 7, 3).is_some());
        let listed: Vec<String> = connections
            .of_account(7, 3)
            .into_iter()
            .map(|c| c.origin)
            .collect();
        assert_eq!(listed, [OTHER]);
    }

    #[test]
    fn should_renew_rather_than_repeat_and_drop_expired_ones() {
        let mut connections = Connections::default();
        connections.grant(DAPP, 7, ADDRESS, 1);
        connections.grant(OTHER, 7, ADDRESS, 2);
        connections.grant(DAPP, 7, ADDRESS, 5);
        let listed: Vec<(String, u64)> = connections
            .of_account(7, 6)
            .into_iter()
            .map(|c| (c.origin, c.granted_at))
            .collect();
        assert_eq!(
            listed,
            [(DAPP.to_owned(), 5), (OTHER.to_owned(), 2)],
            "newest first"
        );
        connections.grant(DAPP, 7, ADDRESS, 2 + CONNECTION_TTL_MS);
        assert_eq!(connections.of_account(7, 2 + CONNECTION_TTL_MS).len(), 1);
        assert_eq!(connections.connections.len(), 1, "the expired one is gone");
    }

    #[test]
    fn should_keep_at_most_the_newest_connections() {
        let mut connections = Connections::default();
        for n in 0..(MAX_CONNECTIONS as u64 + 3) {
            connections.grant(&format!("https://d{n}.example"), 7, ADDRESS, n + 1);
        }
        assert_eq!(connections.connections.len(), MAX_CONNECTIONS);
        assert_eq!(connections.live("https://d0.example", 7, 1_000), None);
        assert!(connections.live("https://d258.example", 7, 1_000).is_some());
    }

    #[test]
    fn should_read_an_unreadable_store_as_no_connections() {
        let mut connections = Connections::default();
        connections.grant(DAPP, 7, ADDRESS, 1);
        let json = connections.to_json();
        assert_eq!(Connections::from_json(Some(&json)), connections);
        for junk in [
            None,
            Some(""),
            Some("{"),
            Some("[]"),
            Some(r#"{"connections":[{"origin":1}]}"#),
        ] {
            assert_eq!(
                Connections::from_json(junk),
                Connections::default(),
                "{junk:?}"
            );
        }
    }
}
