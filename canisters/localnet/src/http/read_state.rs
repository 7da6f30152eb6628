//! Which `read_state` paths a request may ask for (IC interface
//! specification, "Request: Read state").
//!
//! Allowed paths, per endpoint:
//!
//! | path                                                         | canister | subnet |
//! |--------------------------------------------------------------|----------|--------|
//! | `/time`                                                      | yes      | yes    |
//! | `/api_boundary_nodes[/<node_id>[/domain\|ipv4_address\|ipv6_address]]` | yes | yes |
//! | `/subnet[/<id>[/public_key\|canister_ranges\|type\|node[/<node_id>[/public_key]]]]` | yes | yes |
//! | `/subnet/<id>/metrics`                                       | no       | `<id>` = URL subnet |
//! | `/canister_ranges/<id>[/<shard>]`                            | yes      | yes    |
//! | `/canister/<id>/controllers\|module_hash\|metadata/<name>`   | `<id>` = effective id | no |
//! | `/request_status/<id>[/status\|reply\|reject_code\|reject_message\|error_code]` | yes | yes |
//!
//! Anything else is 404 "Invalid path requested."; a canister id other than
//! the effective canister id, a request id that is not 32 bytes, or more
//! than one request id is 400. At most 1000 paths of at most 127 labels.
//! Whether the sender may read a request id's status is checked by the
//! caller against the request's origin (403 when it may not).

use candid::Principal;
use ic_certification::Label;

use super::responses::HttpError;
use crate::certification::Path;
use crate::messages::RequestId;
use axum::http::StatusCode;

pub const MAX_PATHS: usize = 1000;
pub const MAX_PATH_LABELS: usize = 127;

/// The endpoint a `read_state` request arrived at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    Canister(Principal),
    Subnet(Principal),
}

/// What answering a valid `read_state` request needs.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct ReadPlan {
    pub paths: Vec<Path>,
    /// The one request id whose status is asked for, if any.
    pub request_id: Option<RequestId>,
    /// Whether canister information is certified.
    pub needs_canisters: bool,
}

fn invalid_path() -> HttpError {
    HttpError::new(StatusCode::NOT_FOUND, "Invalid path requested.")
}

/// Checks the requested paths against the table in the module docs.
pub(crate) fn plan(paths: &[Vec<Label>], scope: Scope) -> Result<ReadPlan, HttpError> {
    if paths.len() > MAX_PATHS {
        return Err(HttpError::bad_request(format!(
            "Too many paths requested: at most {MAX_PATHS} are allowed."
        )));
    }
    let mut plan = ReadPlan::default();
    for path in paths {
        if path.len() > MAX_PATH_LABELS {
            return Err(HttpError::bad_request(
                "Failed to parse requested paths: path is too long.",
            ));
        }
        let labels: Vec<&[u8]> = path.iter().map(|label| label.as_bytes()).collect();
        match labels.as_slice() {
            [b"time"]
            | [b"api_boundary_nodes"]
            | [b"api_boundary_nodes", _]
            | [
                b"api_boundary_nodes",
                _,
                b"domain" | b"ipv4_address" | b"ipv6_address",
            ]
            | [b"subnet"]
            | [b"subnet", _]
            | [
                b"subnet",
                _,
                b"public_key" | b"canister_ranges" | b"type" | b"node",
            ]
            | [b"subnet", _, b"node", _]
            | [b"subnet", _, b"node", _, b"public_key"]
            | [b"canister_ranges", _]
            | [b"canister_ranges", _, _] => {}
            [b"subnet", subnet_id, b"metrics"] => match scope {
                Scope::Subnet(id) if id.as_slice() == *subnet_id => {}
                _ => return Err(invalid_path()),
            },
            [b"canister", canister_id, b"controllers" | b"module_hash"]
            | [b"canister", canister_id, b"metadata", _] => {
                let Scope::Canister(effective_canister_id) = scope else {
                    return Err(invalid_path());
                };
                let canister_id = Principal::try_from_slice(canister_id).map_err(|e| {
                    HttpError::bad_request(format!("Could not parse Canister ID: {e}."))
                })?;
                if canister_id != effective_canister_id {
                    return Err(HttpError::bad_request(format!(
                        "Effective canister id in URL {effective_canister_id} does not match requested canister id: {canister_id}."
                    )));
                }
                if let [_, _, b"metadata", name] = labels.as_slice()
                    && std::str::from_utf8(name).is_err()
                {
                    return Err(HttpError::bad_request(
                        "Could not parse the custom section name: not UTF-8.",
                    ));
                }
                plan.needs_canisters = true;
            }
            [b"request_status", request_id]
            | [
                b"request_status",
                request_id,
                b"status" | b"reply" | b"reject_code" | b"reject_message" | b"error_code",
            ] => {
                let request_id: RequestId = (*request_id).try_into().map_err(|_| {
                    HttpError::bad_request("Request IDs must be 32 bytes in length.")
                })?;
                match plan.request_id {
                    Some(known) if known != request_id => {
                        return Err(HttpError::bad_request(
                            "Can only request a single request ID in request_status paths.",
                        ));
                    }
                    _ => plan.request_id = Some(request_id),
                }
            }
            _ => return Err(invalid_path()),
        }
        plan.paths
            .push(labels.iter().map(|label| label.to_vec()).collect());
    }
    Ok(plan)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::ids;

    fn path(labels: &[&[u8]]) -> Vec<Label> {
        labels.iter().map(|l| Label::from_bytes(l)).collect()
    }

    fn canister_scope() -> Scope {
        Scope::Canister(ids::canister_id(1))
    }

    #[test]
    fn the_paths_agents_ask_for_are_allowed() {
        let sid = Principal::self_authenticating(b"root");
        let id = [5u8; 32];
        let plan = plan(
            &[
                path(&[b"time"]),
                path(&[b"subnet"]),
                path(&[b"request_status", &id]),
                path(&[b"request_status", &id, b"status"]),
                path(&[b"canister_ranges", sid.as_slice()]),
                path(&[b"canister", ids::canister_id(1).as_slice(), b"controllers"]),
            ],
            canister_scope(),
        )
        .unwrap();
        assert_eq!(plan.request_id, Some(id));
        assert!(plan.needs_canisters);
        assert_eq!(plan.paths.len(), 6);
    }

    #[test]
    fn certified_data_and_unknown_paths_are_not_found() {
        for p in [
            path(&[
                b"canister",
                ids::canister_id(1).as_slice(),
                b"certified_data",
            ]),
            path(&[b"secret"]),
            path(&[]),
        ] {
            assert_eq!(
                plan(&[p], canister_scope()).unwrap_err().status,
                StatusCode::NOT_FOUND
            );
        }
    }

    #[test]
    fn canister_paths_must_name_the_effective_canister() {
        let other = path(&[b"canister", ids::canister_id(2).as_slice(), b"module_hash"]);
        assert_eq!(
            plan(std::slice::from_ref(&other), canister_scope())
                .unwrap_err()
                .status,
            StatusCode::BAD_REQUEST
        );
        let sid = Principal::self_authenticating(b"root");
        assert_eq!(
            plan(&[other], Scope::Subnet(sid)).unwrap_err().status,
            StatusCode::NOT_FOUND
        );
    }

    #[test]
    fn request_ids_must_be_32_bytes_and_unique() {
        assert_eq!(
            plan(&[path(&[b"request_status", b"short"])], canister_scope())
                .unwrap_err()
                .status,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            plan(
                &[
                    path(&[b"request_status", &[1; 32]]),
                    path(&[b"request_status", &[2; 32]])
                ],
                canister_scope()
            )
            .unwrap_err()
            .status,
            StatusCode::BAD_REQUEST
        );
    }

    #[test]
    fn subnet_metrics_only_at_the_subnet_endpoint() {
        let sid = Principal::self_authenticating(b"root");
        let metrics = path(&[b"subnet", sid.as_slice(), b"metrics"]);
        assert!(plan(std::slice::from_ref(&metrics), Scope::Subnet(sid)).is_ok());
        assert_eq!(
            plan(&[metrics], canister_scope()).unwrap_err().status,
            StatusCode::NOT_FOUND
        );
    }

    #[test]
    fn too_many_or_too_long_paths_are_bad_requests() {
        let many = vec![path(&[b"time"]); MAX_PATHS + 1];
        assert_eq!(
            plan(&many, canister_scope()).unwrap_err().status,
            StatusCode::BAD_REQUEST
        );
        let long = vec![Label::from_bytes(b"subnet"); MAX_PATH_LABELS + 1];
        assert_eq!(
            plan(&[long], canister_scope()).unwrap_err().status,
            StatusCode::BAD_REQUEST
        );
    }
}
