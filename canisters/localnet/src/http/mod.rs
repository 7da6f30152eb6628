//! The IC HTTP interface (IC interface specification, "HTTPS Interface"),
//! as `ic-agent` and `@dfinity/agent` use it.
//!
//! # Endpoints
//!
//! | endpoint                                   | answer |
//! |--------------------------------------------|--------|
//! | `GET /api/v2/status`                       | CBOR `{ic_api_version, root_key (DER), impl_version, replica_health_status: "healthy"}` |
//! | `POST /api/v2\|v3/canister/<ecid>/query`   | CBOR `{status: "replied", reply: {arg}, signatures}` or `{status: "rejected", reject_code, reject_message, error_code, signatures}` |
//! | `POST /api/v2/canister/<ecid>/call`        | 202 (queued; a round runs soon after) or 200 CBOR `{reject_code, reject_message, error_code}` when refused before execution |
//! | `POST /api/v3\|v4/canister/<ecid>/call`    | 200 CBOR `{status: "replied", certificate}` once the call is final, 200 CBOR `{status: "non_replicated_rejection", reject_code, reject_message, error_code}` when refused before execution, 202 when not final after the round |
//! | `POST /api/v2\|v3/canister/<ecid>/read_state` | CBOR `{certificate}` |
//! | `POST /api/v2\|v3/subnet/<subnet_id>/read_state` | CBOR `{certificate}` |
//!
//! v3 and v4 calls differ on the IC only in the form of the NNS delegation
//! inside the certificate (v4 carries `/canister_ranges/<subnet_id>/…`
//! shards instead of `/subnet/<subnet_id>/canister_ranges`). This network is
//! its own root subnet and never sends a delegation, so both answer alike.
//!
//! Query responses carry one node signature: Ed25519 by the node key over
//! `"\x0Bic-response" · hash_of_map({status, reply | reject fields,
//! timestamp, request_id})`; the node key is listed in the state tree under
//! `/subnet/<subnet_id>/node/<node_id>/public_key`.
//!
//! # Invariants
//!
//! - Request bodies above 2 MiB are refused with 413 before decoding.
//! - HTTP-level errors are plain text with a 4xx/5xx status; nothing a
//!   client sends can panic a handler or stop the server.
//! - Replica work runs on the blocking pool under one mutex; the async
//!   runtime never blocks on it.
//! - A round runs at least every [`ROUND_INTERVAL`], requests or not, so
//!   canister global timers fire on an idle network.
//! - A call or query to the management canister must be routed to the
//!   canister its argument names (any canister for the creating methods),
//!   and delegation targets apply to that canister: a delegation cannot
//!   reach past its targets through `aaaaa-aa`.
//! - The status of a request id is revealed only to the sender of that
//!   request, through the effective canister id it was sent to (403 else),
//!   also after a restart: the replica keeps (and persists) each request's
//!   origin with its status.
//! - Every response carries permissive CORS headers and `OPTIONS` is
//!   answered, so browser agents on other origins work.
//! - With `LOCALNET_LOG=1`, one line per request goes to stderr.

mod envelope;
mod read_state;
mod responses;
mod routes;
#[cfg(test)]
mod spec_vectors;

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use candid::Principal;
use tokio::sync::{Notify, watch};

use crate::certification::Keys;
use crate::messages::{
    CanisterInfo, IngressCall, QueryCall, Reject, RequestId, RequestOrigin, RequestStatus,
};
use crate::replica::Replica;
use responses::HttpError;

/// Largest accepted request body.
pub const MAX_REQUEST_BYTES: usize = 2 * 1024 * 1024;

/// The replica operations the HTTP interface uses. [`Replica`] implements
/// it; tests substitute a fake.
pub trait ReplicaHandle: Send + 'static {
    fn time_nanos(&self) -> u64;
    fn submit_ingress(&mut self, call: IngressCall) -> Result<(), Reject>;
    fn execute_round(&mut self);
    fn request_status(&self, request_id: &RequestId) -> Option<RequestStatus>;
    /// Who sent a request and where; `None` also when that is not known.
    fn request_origin(&self, request_id: &RequestId) -> Option<RequestOrigin>;
    fn query(&mut self, call: QueryCall) -> Result<Vec<u8>, Reject>;
    fn canister_info(&self, canister_id: &Principal) -> Option<CanisterInfo>;
    fn canister_ids(&self) -> Vec<Principal>;
}

impl ReplicaHandle for Replica {
    fn time_nanos(&self) -> u64 {
        Replica::time_nanos(self)
    }
    fn submit_ingress(&mut self, call: IngressCall) -> Result<(), Reject> {
        Replica::submit_ingress(self, call)
    }
    fn execute_round(&mut self) {
        Replica::execute_round(self)
    }
    fn request_status(&self, request_id: &RequestId) -> Option<RequestStatus> {
        Replica::request_status(self, request_id)
    }
    fn request_origin(&self, request_id: &RequestId) -> Option<RequestOrigin> {
        Replica::request_origin(self, request_id)
    }
    fn query(&mut self, call: QueryCall) -> Result<Vec<u8>, Reject> {
        Replica::query(self, call)
    }
    fn canister_info(&self, canister_id: &Principal) -> Option<CanisterInfo> {
        Replica::canister_info(self, canister_id)
    }
    fn canister_ids(&self) -> Vec<Principal> {
        Replica::canister_ids(self)
    }
}

/// The state shared by all handlers.
pub struct AppState<R> {
    replica: Mutex<R>,
    keys: Keys,
    round_wanted: Notify,
}

impl<R: ReplicaHandle> AppState<R> {
    pub fn new(replica: R, keys: Keys) -> Self {
        Self {
            replica: Mutex::new(replica),
            keys,
            round_wanted: Notify::new(),
        }
    }

    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// Runs `f` on the replica on the blocking pool. A panic inside `f`
    /// becomes a 500 for this request only.
    pub(crate) async fn with_replica<T, F>(self: &Arc<Self>, f: F) -> Result<T, HttpError>
    where
        T: Send + 'static,
        F: FnOnce(&mut R, &Keys) -> T + Send + 'static,
    {
        let state = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let mut replica = state.replica.lock().unwrap_or_else(PoisonError::into_inner);
            f(&mut replica, &state.keys)
        })
        .await
        .map_err(|_| HttpError::internal("The replica failed while handling the request."))
    }

    /// Asks the round runner for an `execute_round` soon.
    pub(crate) fn want_round(&self) {
        self.round_wanted.notify_one();
    }
}

/// Runs `f` on the blocking pool (CPU-heavy work such as signature checks
/// and signing).
pub(crate) async fn blocking<T, F>(f: F) -> Result<T, HttpError>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| HttpError::internal("Internal error while handling the request."))
}

/// Nanoseconds since the epoch, by the wall clock.
pub(crate) fn now_nanos() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// The router over shared state (no round runner; see [`serve_with`]).
pub fn router<R: ReplicaHandle>(state: Arc<AppState<R>>) -> Router {
    Router::new()
        .route("/api/v2/status", get(routes::status::<R>))
        .route("/api/v2/canister/{ecid}/query", post(routes::query::<R>))
        .route("/api/v3/canister/{ecid}/query", post(routes::query::<R>))
        .route(
            "/api/v2/canister/{ecid}/call",
            post(routes::call_async::<R>),
        )
        .route("/api/v3/canister/{ecid}/call", post(routes::call_sync::<R>))
        .route("/api/v4/canister/{ecid}/call", post(routes::call_sync::<R>))
        .route(
            "/api/v2/canister/{ecid}/read_state",
            post(routes::read_state_canister::<R>),
        )
        .route(
            "/api/v3/canister/{ecid}/read_state",
            post(routes::read_state_canister::<R>),
        )
        .route(
            "/api/v2/subnet/{subnet_id}/read_state",
            post(routes::read_state_subnet::<R>),
        )
        .route(
            "/api/v3/subnet/{subnet_id}/read_state",
            post(routes::read_state_subnet::<R>),
        )
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .layer(axum::middleware::from_fn(routes::cors))
        .layer(axum::middleware::from_fn(routes::log_requests))
        .with_state(state)
}

/// The longest an idle network waits between rounds.
pub const ROUND_INTERVAL: std::time::Duration = std::time::Duration::from_millis(100);

/// Executes a round whenever one is wanted, and at least every
/// [`ROUND_INTERVAL`] (global timers fall due, rounds cut short leave
/// messages, statuses expire, and a failed commit is retried without any
/// request arriving), until `stop` turns true.
async fn round_runner<R: ReplicaHandle>(state: Arc<AppState<R>>, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = state.round_wanted.notified() => {}
            _ = tokio::time::sleep(ROUND_INTERVAL) => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
        // A failed round (a panic in the replica) is reported by the
        // request that waits on it; the runner carries on.
        let _ = state
            .with_replica(|replica, _| replica.execute_round())
            .await;
    }
}

/// Serves the HTTP interface on `listener` until `shutdown` completes, then
/// lets in-flight requests and the current round finish.
pub async fn serve_with<R, F>(
    listener: tokio::net::TcpListener,
    replica: R,
    keys: Keys,
    shutdown: F,
) -> std::io::Result<()>
where
    R: ReplicaHandle,
    F: Future<Output = ()> + Send + 'static,
{
    let state = Arc::new(AppState::new(replica, keys));
    let (stop_tx, stop_rx) = watch::channel(false);
    let runner = tokio::spawn(round_runner(Arc::clone(&state), stop_rx));
    let app = router(Arc::clone(&state));
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    let _ = stop_tx.send(true);
    let _ = runner.await;
    result
}

/// Serves the HTTP interface of `replica` on `listener` until Ctrl-C or
/// SIGTERM.
pub async fn serve(
    listener: tokio::net::TcpListener,
    replica: Replica,
    keys: Keys,
) -> std::io::Result<()> {
    serve_with(listener, replica, keys, shutdown_signal()).await
}

/// Completes on Ctrl-C or (on Unix) SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
