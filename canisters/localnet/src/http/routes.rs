//! The endpoint handlers (formats in the parent module's docs).

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path as UrlPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use candid::Principal;
use ic_transport_types::{
    EnvelopeContent, NodeSignature, QueryResponse, ReadStateResponse, ReplyResponse,
};
use serde::Serialize;

use super::envelope::{
    CheckedRequest, RequestKind, check_content_type, check_effective_canister_id, check_envelope,
    parse_principal,
};
use super::read_state::{self, Scope};
use super::responses::{
    self, HttpError, WireCallResponse, WireQueryResponse, WireReject, accepted, reject_response,
};
use super::{AppState, ReplicaHandle, blocking, now_nanos};
use crate::certification::{self, StateView};
use crate::messages::{IngressCall, QueryCall, Reject, RequestOrigin, RequestStatus};

/// The interface specification version the network follows.
pub const IC_API_VERSION: &str = "0.18.0";

/// The `/time` of a certificate: the replica's time, but never behind the
/// wall clock, so that certificates of an idle network stay fresh enough
/// for agents (they refuse certificates older than a few minutes).
fn certified_time<R: ReplicaHandle>(replica: &R) -> u64 {
    replica.time_nanos().max(now_nanos())
}

fn respond(result: Result<Response, HttpError>) -> Response {
    result.unwrap_or_else(IntoResponse::into_response)
}

/// Decodes and checks the envelope on the blocking pool.
async fn checked<R: ReplicaHandle>(
    state: &Arc<AppState<R>>,
    headers: &HeaderMap,
    body: Bytes,
    kind: RequestKind,
) -> Result<CheckedRequest, HttpError> {
    check_content_type(headers)?;
    let root_key = *state.keys().root_public_key();
    blocking(move || check_envelope(&body, kind, now_nanos(), &root_key)).await?
}

#[derive(Serialize)]
struct StatusBody<'a> {
    ic_api_version: &'a str,
    impl_version: &'a str,
    replica_health_status: &'a str,
    #[serde(with = "serde_bytes")]
    root_key: &'a [u8],
}

/// `GET /api/v2/status`.
pub(crate) async fn status<R: ReplicaHandle>(State(state): State<Arc<AppState<R>>>) -> Response {
    responses::cbor(
        StatusCode::OK,
        &StatusBody {
            ic_api_version: IC_API_VERSION,
            impl_version: concat!("localnet-", env!("CARGO_PKG_VERSION")),
            replica_health_status: "healthy",
            root_key: state.keys().root_key_der(),
        },
    )
}

/// `POST /api/v2|v3/canister/<ecid>/query`.
pub(crate) async fn query<R: ReplicaHandle>(
    State(state): State<Arc<AppState<R>>>,
    UrlPath(ecid): UrlPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    respond(query_inner(state, ecid, headers, body).await)
}

async fn query_inner<R: ReplicaHandle>(
    state: Arc<AppState<R>>,
    ecid: String,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, HttpError> {
    let effective_canister_id = parse_principal(&ecid)?;
    let request = checked(&state, &headers, body, RequestKind::Query).await?;
    let EnvelopeContent::Query {
        canister_id,
        method_name,
        arg,
        ..
    } = request.content.clone()
    else {
        return Err(HttpError::bad_request("Malformed request: not a query"));
    };
    check_route(
        &request,
        &canister_id,
        &method_name,
        &arg,
        &effective_canister_id,
    )?;

    let sender = request.sender;
    let result = state
        .with_replica(move |replica, keys| {
            let data_certificate = if canister_id == Principal::management_canister() {
                None
            } else {
                replica.canister_info(&canister_id).and_then(|info| {
                    certification::data_certificate(keys, certified_time(replica), &info).ok()
                })
            };
            replica.query(QueryCall {
                sender,
                canister_id,
                method_name,
                arg,
                data_certificate,
            })
        })
        .await?;

    let request_id = request.request_id;
    let state2 = Arc::clone(&state);
    let response = blocking(move || {
        let timestamp = now_nanos();
        let signable_form = match &result {
            Ok(arg) => QueryResponse::Replied {
                reply: ReplyResponse { arg: arg.clone() },
                signatures: Vec::new(),
            },
            Err(reject) => QueryResponse::Rejected {
                reject: reject_response(reject),
                signatures: Vec::new(),
            },
        };
        let signable =
            signable_form.signable(ic_transport_types::RequestId::new(&request_id), timestamp);
        let signatures = vec![NodeSignature {
            timestamp,
            signature: state2.keys().node_sign(&signable).to_vec(),
            identity: state2.keys().node_id(),
        }];
        match result {
            Ok(arg) => WireQueryResponse::Replied {
                reply: ReplyResponse { arg },
                signatures,
            },
            Err(reject) => {
                let WireReject {
                    reject_code,
                    reject_message,
                    error_code,
                } = WireReject::from(&reject);
                WireQueryResponse::Rejected {
                    reject_code,
                    reject_message,
                    error_code,
                    signatures,
                }
            }
        }
    })
    .await?;
    Ok(responses::cbor(StatusCode::OK, &response))
}

/// Checks where a call or query goes: its effective canister id, and that
/// a sender restricted by delegation targets reaches only those. A call to
/// the management canister counts as reaching the canister its argument
/// names (which must then be the effective canister id); one that names no
/// canister needs the management canister itself among the targets.
fn check_route(
    request: &CheckedRequest,
    canister_id: &Principal,
    method_name: &str,
    arg: &[u8],
    effective_canister_id: &Principal,
) -> Result<(), HttpError> {
    let named = if *canister_id == Principal::management_canister() {
        crate::management::effective_canister_id(method_name, arg)
    } else {
        None
    };
    check_effective_canister_id(
        canister_id,
        named.as_ref(),
        method_name,
        effective_canister_id,
    )?;
    let reached = match named {
        Some(named) if named == *effective_canister_id => named,
        _ => *canister_id,
    };
    check_targets(request, &reached)
}

/// A sender restricted by delegation targets may reach only those.
fn check_targets(request: &CheckedRequest, reached: &Principal) -> Result<(), HttpError> {
    if request.may_target(reached) {
        Ok(())
    } else {
        Err(HttpError::bad_request(format!(
            "Canister {reached} is not one of the delegation targets."
        )))
    }
}

/// The canister an ingress call reached, for its targets: the call's
/// canister, or for the management canister its effective canister id
/// (which [`check_route`] bound to the canister the argument names).
fn reached_by(origin: &RequestOrigin) -> Principal {
    if origin.canister_id == Principal::management_canister() {
        origin.effective_canister_id
    } else {
        origin.canister_id
    }
}

/// The checks shared by both call endpoints; the ingress call to submit.
async fn accept_call<R: ReplicaHandle>(
    state: &Arc<AppState<R>>,
    ecid: &str,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<IngressCall, HttpError> {
    let effective_canister_id = parse_principal(ecid)?;
    let request = checked(state, headers, body, RequestKind::Call).await?;
    let EnvelopeContent::Call {
        canister_id,
        method_name,
        arg,
        ingress_expiry,
        ..
    } = request.content.clone()
    else {
        return Err(HttpError::bad_request("Malformed request: not a call"));
    };
    check_route(
        &request,
        &canister_id,
        &method_name,
        &arg,
        &effective_canister_id,
    )?;
    Ok(IngressCall {
        request_id: request.request_id,
        sender: request.sender,
        canister_id,
        effective_canister_id,
        method_name,
        arg,
        ingress_expiry,
    })
}

/// Submits unless the replica already knows the request (a resubmission
/// of the same content is harmless, as on the IC).
fn submit<R: ReplicaHandle>(replica: &mut R, call: IngressCall) -> Result<(), Reject> {
    if replica.request_status(&call.request_id).is_some() {
        return Ok(());
    }
    replica.submit_ingress(call)
}

/// `POST /api/v2/canister/<ecid>/call`.
pub(crate) async fn call_async<R: ReplicaHandle>(
    State(state): State<Arc<AppState<R>>>,
    UrlPath(ecid): UrlPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    respond(call_async_inner(state, ecid, headers, body).await)
}

async fn call_async_inner<R: ReplicaHandle>(
    state: Arc<AppState<R>>,
    ecid: String,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, HttpError> {
    let call = accept_call(&state, &ecid, &headers, body).await?;
    let submitted = state
        .with_replica(move |replica, _| submit(replica, call))
        .await?;
    match submitted {
        Ok(()) => {
            state.want_round();
            Ok(accepted())
        }
        Err(reject) => Ok(responses::cbor(StatusCode::OK, &WireReject::from(&reject))),
    }
}

/// `POST /api/v3|v4/canister/<ecid>/call`.
pub(crate) async fn call_sync<R: ReplicaHandle>(
    State(state): State<Arc<AppState<R>>>,
    UrlPath(ecid): UrlPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    respond(call_sync_inner(state, ecid, headers, body).await)
}

enum SyncOutcome {
    Refused(Reject),
    Status(Option<RequestStatus>, u64),
}

async fn call_sync_inner<R: ReplicaHandle>(
    state: Arc<AppState<R>>,
    ecid: String,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, HttpError> {
    let call = accept_call(&state, &ecid, &headers, body).await?;
    let request_id = call.request_id;
    let outcome = state
        .with_replica(move |replica, _| {
            if let Err(reject) = submit(replica, call) {
                return SyncOutcome::Refused(reject);
            }
            replica.execute_round();
            SyncOutcome::Status(replica.request_status(&request_id), certified_time(replica))
        })
        .await?;
    let (status, time_nanos) = match outcome {
        SyncOutcome::Refused(reject) => {
            let WireReject {
                reject_code,
                reject_message,
                error_code,
            } = WireReject::from(&reject);
            return Ok(responses::cbor(
                StatusCode::OK,
                &WireCallResponse::NonReplicatedRejection {
                    reject_code,
                    reject_message,
                    error_code,
                },
            ));
        }
        SyncOutcome::Status(status, time) => (status, time),
    };
    let status = match status {
        Some(
            status @ (RequestStatus::Replied(_) | RequestStatus::Rejected(_) | RequestStatus::Done),
        ) => status,
        _ => {
            // Not final yet: the agent polls with read_state.
            state.want_round();
            return Ok(accepted());
        }
    };
    let state2 = Arc::clone(&state);
    let certificate = blocking(move || {
        let view = StateView {
            time_nanos,
            canisters: Vec::new(),
            request_statuses: vec![(request_id, status)],
        };
        let path = vec![b"request_status".to_vec(), request_id.to_vec()];
        certification::certify(state2.keys(), &view, &[path])
    })
    .await?
    .map_err(|e| HttpError::internal(format!("Cannot encode the certificate: {e}")))?;
    Ok(responses::cbor(
        StatusCode::OK,
        &WireCallResponse::Replied { certificate },
    ))
}

/// `POST /api/v2|v3/canister/<ecid>/read_state`.
pub(crate) async fn read_state_canister<R: ReplicaHandle>(
    State(state): State<Arc<AppState<R>>>,
    UrlPath(ecid): UrlPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = match parse_principal(&ecid) {
        Ok(ecid) => read_state_inner(state, Scope::Canister(ecid), headers, body).await,
        Err(e) => Err(e),
    };
    respond(result)
}

/// `POST /api/v2|v3/subnet/<subnet_id>/read_state`.
pub(crate) async fn read_state_subnet<R: ReplicaHandle>(
    State(state): State<Arc<AppState<R>>>,
    UrlPath(subnet_id): UrlPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = match parse_principal(&subnet_id) {
        Ok(id) if id == state.keys().subnet_id() => {
            read_state_inner(state, Scope::Subnet(id), headers, body).await
        }
        Ok(id) => Err(HttpError::bad_request(format!(
            "Subnet {id} is not served by this network."
        ))),
        Err(e) => Err(e),
    };
    respond(result)
}

async fn read_state_inner<R: ReplicaHandle>(
    state: Arc<AppState<R>>,
    scope: Scope,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, HttpError> {
    let request = checked(&state, &headers, body, RequestKind::ReadState).await?;
    let EnvelopeContent::ReadState { paths, .. } = &request.content else {
        return Err(HttpError::bad_request(
            "Malformed request: not a read_state",
        ));
    };
    let plan = read_state::plan(paths, scope)?;

    if plan.needs_canisters
        && let Scope::Canister(ecid) = scope
        && !request.may_target(&ecid)
    {
        return Err(HttpError::new(
            StatusCode::FORBIDDEN,
            format!("Canister {ecid} is not one of the delegation targets."),
        ));
    }
    let (needs_canisters, request_id) = (plan.needs_canisters, plan.request_id);
    let view = state
        .with_replica(move |replica, _| {
            let request_statuses = match request_id {
                Some(id) => match replica.request_status(&id) {
                    Some(status) => {
                        if !may_read_status(&request, scope, replica.request_origin(&id)) {
                            return Err(HttpError::new(
                                StatusCode::FORBIDDEN,
                                "Request IDs must be for requests signed by the caller.",
                            ));
                        }
                        vec![(id, status)]
                    }
                    None => Vec::new(),
                },
                None => Vec::new(),
            };
            let canisters = if needs_canisters {
                replica
                    .canister_ids()
                    .iter()
                    .filter_map(|id| replica.canister_info(id))
                    .collect()
            } else {
                Vec::new()
            };
            Ok(StateView {
                time_nanos: certified_time(replica),
                canisters,
                request_statuses,
            })
        })
        .await??;
    let state2 = Arc::clone(&state);
    let certificate = blocking(move || certification::certify(state2.keys(), &view, &plan.paths))
        .await?
        .map_err(|e| HttpError::internal(format!("Cannot encode the certificate: {e}")))?;
    Ok(responses::cbor(
        StatusCode::OK,
        &ReadStateResponse { certificate },
    ))
}

/// Whether `request` may read the status of a request from `origin`: only
/// its sender may, through the effective canister id it was sent to, and
/// within its delegation targets. Unknown origins are readable by nobody.
fn may_read_status(request: &CheckedRequest, scope: Scope, origin: Option<RequestOrigin>) -> bool {
    let Some(origin) = origin else {
        return false;
    };
    let same_route = match scope {
        Scope::Canister(ecid) => origin.effective_canister_id == ecid,
        Scope::Subnet(_) => true,
    };
    origin.sender == request.sender && same_route && request.may_target(&reached_by(&origin))
}

fn add_cors_headers(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, HEAD, OPTIONS"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("Accept, Authorization, Content-Type"),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("7200"),
    );
}

/// Permissive CORS: browser agents call from other origins.
pub(crate) async fn cors(request: Request, next: Next) -> Response {
    if request.method() == Method::OPTIONS {
        let mut response = StatusCode::NO_CONTENT.into_response();
        add_cors_headers(&mut response);
        return response;
    }
    let mut response = next.run(request).await;
    add_cors_headers(&mut response);
    response
}

fn logging_enabled() -> bool {
    static ENABLED: OnceLock<bool> = OnceLock::new();
    *ENABLED.get_or_init(|| std::env::var("LOCALNET_LOG").is_ok_and(|v| v == "1"))
}

/// One line per request on stderr when `LOCALNET_LOG=1`.
pub(crate) async fn log_requests(request: Request, next: Next) -> Response {
    if !logging_enabled() {
        return next.run(request).await;
    }
    let method = request.method().clone();
    let uri = request.uri().path().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    eprintln!(
        "localnet: {method} {uri} {} {}ms",
        response.status().as_u16(),
        started.elapsed().as_millis()
    );
    response
}
