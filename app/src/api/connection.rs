//! The agent for the configured network, and the canister ids.
//!
//! Invariant: the root key is fetched from the network only when the
//! configuration names a local network; on mainnet the agent keeps the IC's
//! built-in root key. A root key in the configuration only checks the key
//! the agent has: a different one is refused.

use candid::Principal;
use ic_agent::Agent;
use ic_agent::agent::AgentConfig;

use super::error::ApiError;
use super::identity_manager::{IdentityManager, PublicIdentityManager};
use super::network::Network;
use super::session_caller::SessionCaller;
use crate::config::RuntimeConfig;

/// Name of the identity manager in the configuration's `canisters`.
pub const IDENTITY_MANAGER: &str = "identity_manager";

/// A ready agent. Cheap to clone (the agent is shared).
#[derive(Clone)]
pub struct Connection {
    network: Network,
    identity_manager: Principal,
}

impl Connection {
    /// Builds the agent for `config` (and, on a local network, fetches its
    /// root key).
    pub async fn open(config: &RuntimeConfig) -> Result<Self, ApiError> {
        let url = url::Url::parse(&config.url)
            .map_err(|e| ApiError::Configuration(format!("the network URL is not valid: {e}")))?;
        let id = config.canisters.get(IDENTITY_MANAGER).ok_or_else(|| {
            ApiError::Configuration(format!("no canister id for the {IDENTITY_MANAGER}"))
        })?;
        let identity_manager = Principal::from_text(id).map_err(|e| {
            ApiError::Configuration(format!("the {IDENTITY_MANAGER} id is not valid: {e}"))
        })?;
        let mut agent_config = AgentConfig::default();
        agent_config.url = Some(url.clone());
        let agent = Agent::new(agent_config)?;
        if config.development() {
            agent.fetch_root_key().await?;
        }
        if let Some(expected) = &config.root_key
            && agent.read_root_key() != *expected
        {
            return Err(ApiError::Configuration(
                "the root key in the configuration is not the network's".to_string(),
            ));
        }
        Ok(Self {
            network: Network::new(agent, &url),
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
