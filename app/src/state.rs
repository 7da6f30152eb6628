//! App-wide state: a `Copy` struct of reactive handles, provided as context
//! by [`crate::App`].

use leptos::prelude::*;

use crate::browser::http;
use crate::config::{CONFIG_PATH, ConfigError, MAX_CONFIG_BYTES, RuntimeConfig};

#[derive(Clone, Copy)]
pub struct AppState {
    /// `/sigil.json`, loaded once when the app starts.
    pub config: LocalResource<Result<RuntimeConfig, ConfigError>>,
}

impl AppState {
    pub fn new() -> Self {
        Self {
            config: LocalResource::new(load_config),
        }
    }
}

async fn load_config() -> Result<RuntimeConfig, ConfigError> {
    let bytes = http::get_bytes(CONFIG_PATH, MAX_CONFIG_BYTES)
        .await
        .map_err(|e| ConfigError::Unavailable(e.to_string()))?;
    RuntimeConfig::from_json(&bytes)
}
