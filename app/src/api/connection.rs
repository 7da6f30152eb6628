//! The configured network, and the canister ids.
//!
//! Invariant: the root key is fetched from the network only when the
//! configuration names a local network; on mainnet it is the IC's built-in
//! root key. A root key in the configuration only checks the key in use: a
//! different one is refused.

use candid::Principal;

use super::error::ApiError;
use super::identity_manager::{IdentityManager, PublicIdentityManager};
use super::network::Network;
use super::session_caller::SessionCaller;
use crate::config::RuntimeConfig;

/// Name of the identity manager in the configuration's `canisters`.
pub const IDENTITY_MANAGER: &str = "identity_manager";

/// A ready network connection. Cheap to clone.
#[derive(Clone)]
pub struct Connection {
    network: Network,
    identity_manager: Principal,
}

impl Connection {
    /// Connects to the network of `config` (on a local network, fetching
    /// its root key).
    pub async fn open(config: &RuntimeConfig) -> Result<Self, ApiError> {
        let id = config.canisters.get(IDENTITY_MANAGER).ok_or_else(|| {
            ApiError::Configuration(format!("no canister id for the {IDENTITY_MANAGER}"))
        })?;
        let identity_manager = Principal::from_text(id).map_err(|e| {
            ApiError::Configuration(format!("the {IDENTITY_MANAGER} id is not valid: {e}"))
        })?;
        let url = config.network_url();
        let network = if config.development() {
            Network::local(url).await?
        } else {
            Network::mainnet(url)
        };
        if let Some(expected) = &config.root_key
            && network.root_key() != expected.as_slice()
        {
            return Err(ApiError::Configuration(
                "the root key in the configuration is not the network's".to_string(),
            ));
        }
        Ok(Self {
            network,
            identity_manager,
        })
    }

    /// The identity manager's public (anonymous) methods.
    pub fn public_identity_manager(&self) -> PublicIdentityManager {
        PublicIdentityManager::new(self.network.clone(), self.identity_manager)
    }

    /// The identity manager, called as the signed-in person.
    pub fn identity_manager(&self, caller: SessionCaller) -> IdentityManager {
        IdentityManager::new(self.network.clone(), self.identity_manager, caller)
    }
}
