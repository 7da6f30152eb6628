//! Runtime configuration, read from `/sigil.json` next to `index.html`, so
//! one build serves any network. The run and test scripts write it:
//!
//! ```json
//! { "network": "local", "url": "http://127.0.0.1:4943",
//!   "canisters": { "demo": "bkyz2-fmaaa-aaaaa-qaaaq-cai" } }
//! ```
//!
//! `network` is `"local"` (a development network: its root key is fetched
//! and `http://<id>.localhost:<port>` derivation origins are allowed) or
//! `"ic"` (mainnet). The mainnet file is `canisters/deploy/sigil.json`
//! (the deployment adds the canister ids); it also names the network's root
//! key and threshold key:
//!
//! ```json
//! { "network": "ic", "url": "https://icp-api.io", "root_key": "308182…",
//!   "threshold_key": "key_1", "canisters": { "identity_manager": "…" } }
//! ```
//!
//! Invariant: a configuration naming a local network exists only where
//! Sigil itself is served from this computer ([`is_loopback_host`]). A
//! local network's root key comes from the network it is meant to verify,
//! and `*.localhost` origins are no canister's; served from anywhere else,
//! such a file would let whoever wrote it mint the answers Sigil trusts, so
//! [`RuntimeConfig::from_json`] refuses it.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use serde::Deserialize;
use thiserror::Error;

/// Where the configuration is served.
pub const CONFIG_PATH: &str = "/sigil.json";
/// Largest configuration file read.
pub const MAX_CONFIG_BYTES: usize = 16 * 1024;
/// How long loading the configuration may take.
pub const CONFIG_TIMEOUT_MILLIS: u32 = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Network {
    Local,
    Ic,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuntimeConfig {
    pub network: Network,
    /// The IC HTTP interface's base URL.
    pub url: String,
    /// Canister ids (textual principals) by name.
    #[serde(default)]
    pub canisters: BTreeMap<String, String>,
    /// The network's root key (DER, in hex), if the file names it. It is a
    /// check, never the source of the key: on mainnet the app uses the IC's
    /// built-in key, on a local network it fetches the network's, and
    /// a configuration naming another key is refused.
    #[serde(default, deserialize_with = "hex_bytes")]
    pub root_key: Option<Vec<u8>>,
    /// The name of the network's threshold ECDSA and Schnorr keys (`key_1`
    /// on mainnet), which the canisters that sign are installed with.
    #[serde(default)]
    pub threshold_key: Option<String>,
    /// The EVM chains the wallet shows balances of and sends on, each with
    /// its node's JSON-RPC URL (`https://`, or `http://` on a local network).
    #[serde(default)]
    pub evm_chains: Vec<EvmChainConfig>,
}

/// An EVM chain as the wallet reaches it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvmChainConfig {
    pub chain_id: u64,
    pub name: String,
    /// Its native token (18 decimals).
    pub symbol: String,
    pub rpc_url: String,
}

fn hex_bytes<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Vec<u8>>, D::Error> {
    let text = String::deserialize(deserializer)?;
    hex::decode(text)
        .map(Some)
        .map_err(|e| serde::de::Error::custom(format!("root_key is not hex: {e}")))
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConfigError {
    #[error("{CONFIG_PATH} could not be loaded: {0}")]
    Unavailable(String),
    #[error("{CONFIG_PATH} is larger than {MAX_CONFIG_BYTES} bytes")]
    TooLarge,
    #[error("{CONFIG_PATH} is not valid: {0}")]
    Invalid(String),
    #[error(
        "{CONFIG_PATH} names the network URL {0:?}, which is not an https:// URL (http:// is allowed only for a local network) with a host and no query, fragment or user name"
    )]
    InvalidUrl(String),
    #[error(
        "{CONFIG_PATH} names a local development network, but Sigil is served from {host}, not from this computer; a local network is used only when Sigil is opened at localhost"
    )]
    LocalNetworkOffLoopback { host: String },
}

impl RuntimeConfig {
    /// Reads the configuration of a Sigil served from `host` (the page's
    /// `location.hostname`).
    pub fn from_json(bytes: &[u8], host: &str) -> Result<Self, ConfigError> {
        if bytes.len() > MAX_CONFIG_BYTES {
            return Err(ConfigError::TooLarge);
        }
        let config: Self =
            serde_json::from_slice(bytes).map_err(|e| ConfigError::Invalid(e.to_string()))?;
        if config.network == Network::Local && !is_loopback_host(host) {
            return Err(ConfigError::LocalNetworkOffLoopback {
                host: host.to_owned(),
            });
        }
        if !is_network_url(&config.url, config.network) {
            return Err(ConfigError::InvalidUrl(config.url));
        }
        if let Some(chain) = config
            .evm_chains
            .iter()
            .find(|chain| !is_network_url(&chain.rpc_url, config.network))
        {
            return Err(ConfigError::InvalidUrl(chain.rpc_url.clone()));
        }
        Ok(config)
    }

    /// The network's base URL, ending in `/`.
    pub fn network_url(&self) -> String {
        let mut url = self.url.clone();
        if !url.ends_with('/') {
            url.push('/');
        }
        url
    }

    /// True on a local network (and so on a loopback host): development-only
    /// rules apply.
    pub fn development(&self) -> bool {
        self.network == Network::Local
    }
}

/// Whether `url` can be the base of the network's HTTP interface: `https://`
/// (or `http://` for a local network), a host, an optional path, and
/// nothing a request path could not be appended to.
fn is_network_url(url: &str, network: Network) -> bool {
    let rest = match (url.strip_prefix("https://"), url.strip_prefix("http://")) {
        (Some(rest), _) => rest,
        (None, Some(rest)) if network == Network::Local => rest,
        _ => return false,
    };
    let authority = rest.split('/').next().unwrap_or_default();
    !authority.is_empty()
        && !authority.contains('@')
        && !rest.contains(['?', '#', '\\'])
        && rest.chars().all(|c| c.is_ascii_graphic())
}

/// Whether `host` (a URL's host name as browsers serialise it) names this
/// computer: `localhost`, `*.localhost`, `127.0.0.0/8` or `[::1]`.
pub fn is_loopback_host(host: &str) -> bool {
    host == "localhost"
        || host
            .strip_suffix(".localhost")
            .is_some_and(|name| !name.is_empty() && !name.ends_with('.'))
        || host == "[::1]"
        || host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCAL: &[u8] = br#"{"network":"local","url":"http://127.0.0.1:4943","canisters":{"demo":"bkyz2-fmaaa-aaaaa-qaaaq-cai"}}"#;

    #[test]
    fn should_read_a_local_network_configuration() {
        let config = RuntimeConfig::from_json(LOCAL, "localhost").expect("valid configuration");
        assert!(config.development());
        assert_eq!(config.url, "http://127.0.0.1:4943");
        assert_eq!(config.canisters["demo"], "bkyz2-fmaaa-aaaaa-qaaaq-cai");
    }

    #[test]
    fn should_read_evm_chains_with_the_urls_of_their_nodes() {
        let local = br#"{"network":"local","url":"http://127.0.0.1:4943","evm_chains":[{"chain_id":31337,"name":"Hardhat","symbol":"ETH","rpc_url":"http://127.0.0.1:8545"}]}"#;
        let config = RuntimeConfig::from_json(local, "localhost").expect("valid");
        assert_eq!(config.evm_chains[0].chain_id, 31337);
        assert_eq!(config.evm_chains[0].rpc_url, "http://127.0.0.1:8545");
        let plain_http_on_mainnet = br#"{"network":"ic","url":"https://icp-api.io","evm_chains":[{"chain_id":1,"name":"Ethereum","symbol":"ETH","rpc_url":"http://rpc.example"}]}"#;
        assert_eq!(
            RuntimeConfig::from_json(plain_http_on_mainnet, "sigil.example"),
            Err(ConfigError::InvalidUrl("http://rpc.example".into()))
        );
    }

    #[test]
    fn should_treat_mainnet_as_production() {
        let config = RuntimeConfig::from_json(
            br#"{"network":"ic","url":"https://icp-api.io"}"#,
            "sigil.example",
        )
        .expect("valid");
        assert!(!config.development());
        assert!(config.canisters.is_empty());
    }

    #[test]
    fn should_read_the_mainnet_configuration_of_the_deployment() {
        let config = RuntimeConfig::from_json(
            include_bytes!("../../canisters/deploy/sigil.json"),
            "sigil.example",
        )
        .expect("valid configuration");
        assert_eq!(config.network, Network::Ic);
        assert!(!config.development());
        assert_eq!(config.threshold_key.as_deref(), Some("key_1"));
        // A BLS12-381 public key in DER.
        assert_eq!(config.root_key.map(|key| key.len()), Some(133));
    }

    #[test]
    fn should_end_the_network_url_with_one_slash() {
        let config = RuntimeConfig::from_json(LOCAL, "localhost").expect("valid");
        assert_eq!(config.network_url(), "http://127.0.0.1:4943/");
        let config = RuntimeConfig::from_json(
            br#"{"network":"ic","url":"https://icp-api.io/"}"#,
            "sigil.example",
        )
        .expect("valid");
        assert_eq!(config.network_url(), "https://icp-api.io/");
    }

    #[test]
    fn should_refuse_a_network_url_that_is_not_https_on_mainnet_or_is_malformed() {
        for (network, url) in [
            ("ic", "http://icp-api.io"),
            ("ic", "icp-api.io"),
            ("ic", "ftp://icp-api.io"),
            ("ic", "https://"),
            ("ic", "https:///api"),
            ("ic", "https://user@icp-api.io"),
            ("ic", "https://icp-api.io/?x=1"),
            ("ic", "https://icp-api.io/#x"),
            ("ic", "https://icp api.io"),
            ("local", "ws://127.0.0.1:4943"),
        ] {
            let json = format!(r#"{{"network":"{network}","url":"{url}"}}"#);
            assert_eq!(
                RuntimeConfig::from_json(json.as_bytes(), "localhost"),
                Err(ConfigError::InvalidUrl(url.to_string())),
                "{url}"
            );
        }
        assert!(!is_network_url("https://icp-api.io\\@evil", Network::Ic));
        assert!(is_network_url("https://icp-api.io/api", Network::Ic));
        assert!(is_network_url("http://localhost:4943", Network::Local));
    }

    #[test]
    fn should_refuse_a_root_key_that_is_not_hex() {
        assert!(matches!(
            RuntimeConfig::from_json(
                br#"{"network":"ic","url":"x","root_key":"30zz"}"#,
                "localhost"
            ),
            Err(ConfigError::Invalid(_))
        ));
    }

    #[test]
    fn should_refuse_unknown_networks_fields_and_oversized_files() {
        assert!(matches!(
            RuntimeConfig::from_json(br#"{"network":"testnet","url":"x"}"#, "localhost"),
            Err(ConfigError::Invalid(_))
        ));
        assert!(matches!(
            RuntimeConfig::from_json(br#"{"network":"ic","url":"x","debug":true}"#, "localhost"),
            Err(ConfigError::Invalid(_))
        ));
        assert_eq!(
            RuntimeConfig::from_json(&vec![b' '; 20_000], "localhost"),
            Err(ConfigError::TooLarge)
        );
    }

    #[test]
    fn should_accept_a_local_network_on_every_loopback_host() {
        for host in [
            "localhost",
            "sigil.localhost",
            "a.b.localhost",
            "127.0.0.1",
            "127.1.2.3",
            "127.255.255.255",
            "[::1]",
        ] {
            assert!(is_loopback_host(host), "{host}");
            assert!(RuntimeConfig::from_json(LOCAL, host).is_ok(), "{host}");
        }
    }

    #[test]
    fn should_refuse_a_local_network_when_served_from_another_host() {
        for host in [
            "sigil.test",
            "sigil.example",
            "localhost.example",
            "localhost.",
            ".localhost",
            "x..localhost",
            "notlocalhost",
            "128.0.0.1",
            "10.0.0.1",
            "0.0.0.0",
            "127.0.0.1.example",
            "[::2]",
            "[::ffff:127.0.0.1]",
            "::1x",
            "",
        ] {
            assert!(!is_loopback_host(host), "{host}");
            assert_eq!(
                RuntimeConfig::from_json(LOCAL, host),
                Err(ConfigError::LocalNetworkOffLoopback {
                    host: host.to_owned()
                }),
                "{host}"
            );
        }
    }

    #[test]
    fn should_say_why_a_local_network_is_refused() {
        let error = RuntimeConfig::from_json(LOCAL, "sigil.test").expect_err("refused");
        assert!(
            error.to_string().contains("served from sigil.test"),
            "{error}"
        );
        assert!(error.to_string().contains("localhost"), "{error}");
    }

    #[test]
    fn should_accept_mainnet_on_any_host() {
        for host in ["sigil.example", "localhost", "127.0.0.1"] {
            let config =
                RuntimeConfig::from_json(br#"{"network":"ic","url":"https://icp-api.io"}"#, host)
                    .expect("valid");
            assert!(!config.development());
        }
    }
}
