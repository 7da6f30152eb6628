//! App-wide state: a `Copy` struct of reactive handles, provided as context
//! by [`crate::App`].

use leptos::logging::warn;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::connection::Connection;
use crate::api::error::ApiError;
use crate::browser::{http, own_host_name};
use crate::config::{
    CONFIG_PATH, CONFIG_TIMEOUT_MILLIS, ConfigError, MAX_CONFIG_BYTES, RuntimeConfig,
};

#[derive(Clone, Copy)]
pub struct AppState {
    /// `/sigil.json`, loaded once when the app starts.
    pub config: LocalResource<Result<RuntimeConfig, ConfigError>>,
    /// The network connection, opened on first use and then shared.
    connection: StoredValue<Option<Connection>, LocalStorage>,
}

impl AppState {
    pub fn new() -> Self {
        Self {
            config: LocalResource::new(load_config),
            connection: StoredValue::new_local(None),
        }
    }

    /// Opens the connection in the background, so that it is ready by the
    /// time the person acts.
    pub fn warm_up(self) {
        spawn_local(async move {
            if let Err(error) = self.connection().await {
                warn!("the network connection could not be opened yet: {error}");
            }
        });
    }

    /// The connection to the configured network (opened once per page).
    pub async fn connection(self) -> Result<Connection, ApiError> {
        if let Some(connection) = self.connection.get_value() {
            return Ok(connection);
        }
        let config = self
            .config
            .await
            .map_err(|error| ApiError::Configuration(error.to_string()))?;
        let connection = Connection::open(&config).await?;
        self.connection.set_value(Some(connection.clone()));
        Ok(connection)
    }
}

async fn load_config() -> Result<RuntimeConfig, ConfigError> {
    let host = own_host_name().map_err(|e| ConfigError::Unavailable(e.to_string()))?;
    let bytes = http::get_bytes(CONFIG_PATH, MAX_CONFIG_BYTES, CONFIG_TIMEOUT_MILLIS)
        .await
        .map_err(|e| ConfigError::Unavailable(e.to_string()))?;
    RuntimeConfig::from_json(&bytes, &host)
}
