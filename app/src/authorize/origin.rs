//! Derivation origins: which origin a dapp may ask its principal to be
//! derived from, and the alternative-origins document that proves consent.
//!
//! Rules (the same as Internet Identity's):
//! - A `derivationOrigin` equal to the request origin needs nothing more.
//! - Any other must be a canister origin, matching exactly
//!   `^https://[\w-]+(\.raw)?\.(ic0\.app|icp0\.io)$` — or, on a local
//!   network only, `^http://[\w-]+\.localhost:<port>$`.
//! - `<derivationOrigin>/.well-known/ii-alternative-origins` must then be
//!   `{"alternativeOrigins": [...]}` with at most ten origins, one of them
//!   exactly the request origin. For a `.raw` origin the document is read
//!   from the same canister's certified domain (`https://<id>.icp0.io` for
//!   `https://<id>.raw.icp0.io`): a raw domain serves whatever the canister
//!   answers, unchecked by the boundary nodes.
//! - The fetch is bounded: at most [`MAX_ALTERNATIVE_ORIGINS_BYTES`] read,
//!   whatever the server declares, and at most
//!   [`ALTERNATIVE_ORIGINS_TIMEOUT_MILLIS`] for the answer and its body.
//!
//! Comparisons are exact string comparisons: browsers serialise
//! `event.origin` canonically, and a dapp that spells its own origin
//! differently is refused rather than guessed at.

use serde::Deserialize;
use thiserror::Error;

/// Longest origin accepted (the identity manager's limit).
pub use sigil_api::identity_manager::MAX_ORIGIN_LEN;
/// Most entries an alternative-origins document may list.
pub const MAX_ALTERNATIVE_ORIGINS: usize = 10;
/// Largest alternative-origins document read.
pub const MAX_ALTERNATIVE_ORIGINS_BYTES: usize = 16 * 1024;
/// Where a canister origin lists the origins it lends its principals to.
pub const ALTERNATIVE_ORIGINS_PATH: &str = "/.well-known/ii-alternative-origins";
/// How long the alternative-origins document may take, body included.
pub const ALTERNATIVE_ORIGINS_TIMEOUT_MILLIS: u32 = 5_000;

/// Why a derivation origin is refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DerivationError {
    #[error(
        "derivationOrigin \"{0}\" is not allowed: it must be the app's own origin or a canister origin such as https://<canister id>.icp0.io"
    )]
    NotACanisterOrigin(String),
    #[error("could not read {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("{url} is not a valid alternative-origins document: {reason}")]
    Malformed { url: String, reason: String },
    #[error("{url} lists {count} origins, more than the {MAX_ALTERNATIVE_ORIGINS} allowed")]
    TooManyOrigins { url: String, count: usize },
    #[error(
        "{url} does not list {request_origin}, so it may not use the principal of {derivation_origin}"
    )]
    NotListed {
        url: String,
        request_origin: String,
        derivation_origin: String,
    },
}

/// What must happen before a derivation origin can be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DerivationCheck {
    /// The request's own origin: nothing to check.
    SameOrigin,
    /// A canister origin: fetch `url` and pass the body to
    /// [`verify_alternative_origins`].
    FetchAlternativeOrigins { url: String },
}

/// Decides whether `derivation_origin` may be used for a request from
/// `request_origin`; `development` admits `http://<id>.localhost:<port>`.
pub fn check_derivation_origin(
    request_origin: &str,
    derivation_origin: &str,
    development: bool,
) -> Result<DerivationCheck, DerivationError> {
    if derivation_origin == request_origin {
        return Ok(DerivationCheck::SameOrigin);
    }
    let allowed = is_canister_origin(derivation_origin)
        || (development && is_local_canister_origin(derivation_origin));
    if !allowed {
        return Err(DerivationError::NotACanisterOrigin(
            derivation_origin.to_owned(),
        ));
    }
    Ok(DerivationCheck::FetchAlternativeOrigins {
        url: format!(
            "{}{ALTERNATIVE_ORIGINS_PATH}",
            certified_origin(derivation_origin)
        ),
    })
}

/// The canister origin without `.raw`: the domain whose answers the
/// boundary nodes certify. Other origins are returned as they are.
fn certified_origin(origin: &str) -> String {
    for domain in CANISTER_DOMAINS {
        if let Some(raw) = origin.strip_suffix(domain)
            && let Some(name) = raw.strip_suffix(".raw")
        {
            return format!("{name}{domain}");
        }
    }
    origin.to_owned()
}

/// Checks the alternative-origins document fetched from `url` (the body,
/// already bounded by the caller to [`MAX_ALTERNATIVE_ORIGINS_BYTES`]).
pub fn verify_alternative_origins(
    url: &str,
    body: &[u8],
    request_origin: &str,
    derivation_origin: &str,
) -> Result<(), DerivationError> {
    #[derive(Deserialize)]
    struct Document {
        #[serde(rename = "alternativeOrigins")]
        alternative_origins: Vec<String>,
    }
    if body.len() > MAX_ALTERNATIVE_ORIGINS_BYTES {
        return Err(DerivationError::Malformed {
            url: url.to_owned(),
            reason: format!("it is larger than {MAX_ALTERNATIVE_ORIGINS_BYTES} bytes"),
        });
    }
    let document: Document =
        serde_json::from_slice(body).map_err(|e| DerivationError::Malformed {
            url: url.to_owned(),
            reason: e.to_string(),
        })?;
    let count = document.alternative_origins.len();
    if count > MAX_ALTERNATIVE_ORIGINS {
        return Err(DerivationError::TooManyOrigins {
            url: url.to_owned(),
            count,
        });
    }
    if document
        .alternative_origins
        .iter()
        .any(|origin| origin == request_origin)
    {
        Ok(())
    } else {
        Err(DerivationError::NotListed {
            url: url.to_owned(),
            request_origin: request_origin.to_owned(),
            derivation_origin: derivation_origin.to_owned(),
        })
    }
}

/// The domains canisters are served from.
const CANISTER_DOMAINS: [&str; 2] = [".ic0.app", ".icp0.io"];

/// `^https://[\w-]+(\.raw)?\.(ic0\.app|icp0\.io)$`.
fn is_canister_origin(origin: &str) -> bool {
    let Some(host) = origin.strip_prefix("https://") else {
        return false;
    };
    let Some(name) = CANISTER_DOMAINS
        .iter()
        .find_map(|domain| host.strip_suffix(domain))
    else {
        return false;
    };
    let label = name.strip_suffix(".raw").unwrap_or(name);
    is_word_label(label)
}

/// `^http://[\w-]+\.localhost:[0-9]{1,5}$` with a port in 1..=65535.
fn is_local_canister_origin(origin: &str) -> bool {
    let Some(host) = origin.strip_prefix("http://") else {
        return false;
    };
    let Some((name, port)) = host.rsplit_once(':') else {
        return false;
    };
    let Some(label) = name.strip_suffix(".localhost") else {
        return false;
    };
    let port_ok = !port.is_empty()
        && port.len() <= 5
        && port.bytes().all(|b| b.is_ascii_digit())
        && port.parse::<u32>().is_ok_and(|p| (1..=65535).contains(&p));
    port_ok && is_word_label(label)
}

/// `[\w-]+` in ASCII: letters, digits, `_` and `-`.
fn is_word_label(label: &str) -> bool {
    !label.is_empty()
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAPP: &str = "https://dapp.example";

    fn check(derivation: &str, development: bool) -> Result<DerivationCheck, DerivationError> {
        check_derivation_origin(DAPP, derivation, development)
    }

    #[test]
    fn should_accept_the_request_origin_itself_without_a_fetch() {
        assert_eq!(check(DAPP, false), Ok(DerivationCheck::SameOrigin));
    }

    #[test]
    fn should_ask_canister_origins_for_their_alternative_origins() {
        for origin in [
            "https://bkyz2-fmaaa-aaaaa-qaaaq-cai.icp0.io",
            "https://bkyz2-fmaaa-aaaaa-qaaaq-cai.ic0.app",
            "https://my_app.ic0.app",
        ] {
            assert_eq!(
                check(origin, false),
                Ok(DerivationCheck::FetchAlternativeOrigins {
                    url: format!("{origin}/.well-known/ii-alternative-origins")
                }),
                "{origin}"
            );
        }
    }

    #[test]
    fn should_fetch_the_alternative_origins_of_a_raw_origin_from_its_certified_domain() {
        for (raw, certified) in [
            (
                "https://bkyz2-fmaaa-aaaaa-qaaaq-cai.raw.icp0.io",
                "https://bkyz2-fmaaa-aaaaa-qaaaq-cai.icp0.io",
            ),
            ("https://my_app.raw.ic0.app", "https://my_app.ic0.app"),
            ("https://raw.raw.icp0.io", "https://raw.icp0.io"),
        ] {
            assert_eq!(
                check(raw, false),
                Ok(DerivationCheck::FetchAlternativeOrigins {
                    url: format!("{certified}/.well-known/ii-alternative-origins")
                }),
                "{raw}"
            );
        }
    }

    #[test]
    fn should_refuse_origins_that_only_resemble_canister_origins() {
        for origin in [
            "https://evil.example",
            "http://bkyz2-fmaaa-aaaaa-qaaaq-cai.icp0.io",
            "https://bkyz2-fmaaa-aaaaa-qaaaq-cai.icp0.io.evil.example",
            "https://evil.example/bkyz2.icp0.io",
            "https://evil.example?x=.icp0.io",
            "https://evil.example#.icp0.io",
            "https://a.b.icp0.io",
            "https://a.raw.raw.icp0.io",
            "https://.icp0.io",
            "https://icp0.io",
            "https://x.icp0.io/",
            "https://x.icp0.io:443",
            "https://x.icp0.io\n",
            " https://x.icp0.io",
            "https://user@x.icp0.io",
            "https://x%2eevil.icp0.io",
            "https://xn--ls8h.icp0.io.",
            "https://x.ic0.app.",
            "https://x.icp0.iox",
            "https://x.ICP0.IO",
            "https://bücher.icp0.io",
            "",
        ] {
            assert_eq!(
                check(origin, true),
                Err(DerivationError::NotACanisterOrigin(origin.to_owned())),
                "{origin:?}"
            );
        }
    }

    #[test]
    fn should_accept_local_canister_origins_only_in_development() {
        let local = "http://bkyz2-fmaaa-aaaaa-qaaaq-cai.localhost:4943";
        assert!(matches!(
            check(local, true),
            Ok(DerivationCheck::FetchAlternativeOrigins { .. })
        ));
        assert_eq!(
            check(local, false),
            Err(DerivationError::NotACanisterOrigin(local.to_owned()))
        );
    }

    #[test]
    fn should_refuse_local_origins_that_are_not_canister_origins() {
        for origin in [
            "http://localhost:4943",
            "http://x.localhost",
            "http://x.localhost:",
            "http://x.localhost:0",
            "http://x.localhost:65536",
            "http://x.localhost:123456",
            "http://x.localhost:80a",
            "http://x.localhost:4943/",
            "http://x.localhost.evil.example:4943",
            "http://x.y.localhost:4943",
            "https://x.localhost:4943",
            "http://evil.example:4943",
        ] {
            assert!(check(origin, true).is_err(), "{origin}");
        }
    }

    const URL: &str = "https://x.icp0.io/.well-known/ii-alternative-origins";

    fn verify(body: &str) -> Result<(), DerivationError> {
        verify_alternative_origins(URL, body.as_bytes(), DAPP, "https://x.icp0.io")
    }

    #[test]
    fn should_accept_a_document_that_lists_the_request_origin() {
        assert_eq!(
            verify(r#"{"alternativeOrigins":["https://other.example","https://dapp.example"]}"#),
            Ok(())
        );
    }

    #[test]
    fn should_refuse_a_document_that_does_not_list_the_request_origin_exactly() {
        for body in [
            r#"{"alternativeOrigins":[]}"#,
            r#"{"alternativeOrigins":["https://dapp.example/"]}"#,
            r#"{"alternativeOrigins":["https://DAPP.example"]}"#,
            r#"{"alternativeOrigins":["http://dapp.example"]}"#,
            r#"{"alternativeOrigins":["*"]}"#,
        ] {
            assert!(
                matches!(verify(body), Err(DerivationError::NotListed { .. })),
                "{body}"
            );
        }
    }

    #[test]
    fn should_refuse_more_than_ten_origins_even_if_listed() {
        let mut origins: Vec<String> = (0..10)
            .map(|i| format!("\"https://a{i}.example\""))
            .collect();
        origins.push(format!("\"{DAPP}\""));
        let body = format!(r#"{{"alternativeOrigins":[{}]}}"#, origins.join(","));
        assert_eq!(
            verify(&body),
            Err(DerivationError::TooManyOrigins {
                url: URL.to_owned(),
                count: 11
            })
        );
    }

    #[test]
    fn should_refuse_malformed_and_oversized_documents() {
        for body in [
            "",
            "null",
            "[]",
            "{}",
            r#"{"alternativeOrigins":"https://dapp.example"}"#,
            r#"{"alternativeOrigins":[1]}"#,
            "<html>",
        ] {
            assert!(
                matches!(verify(body), Err(DerivationError::Malformed { .. })),
                "{body}"
            );
        }
        let huge = format!(
            r#"{{"alternativeOrigins":["{DAPP}"],"pad":"{}"}}"#,
            "x".repeat(20_000)
        );
        assert!(matches!(
            verify(&huge),
            Err(DerivationError::Malformed { .. })
        ));
    }
}
