//! A passkey assertion as an IC signature (IC interface specification,
//! "Signatures" → "Web Authentication"): the self-described CBOR map
//! `{authenticator_data: blob, client_data_json: text, signature: blob}`,
//! where `signature` is the authenticator's DER ECDSA signature over
//! `authenticator_data · SHA-256(client_data_json)` and the client data's
//! `challenge` is the signed message in base64url.

use serde::Serialize;
use thiserror::Error;

/// CBOR tag 55799: "self-described CBOR".
const SELF_DESCRIBED: [u8; 3] = [0xd9, 0xd9, 0xf7];

/// Why an assertion cannot become an IC signature.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PasskeySignatureError {
    #[error("the browser's client data is not UTF-8 text")]
    ClientDataNotText,
}

#[derive(Serialize)]
struct WebAuthnSignature<'a> {
    #[serde(with = "serde_bytes")]
    authenticator_data: &'a [u8],
    client_data_json: &'a str,
    #[serde(with = "serde_bytes")]
    signature: &'a [u8],
}

/// Encodes an assertion's three parts as the IC's WebAuthn signature.
pub fn encode(
    authenticator_data: &[u8],
    client_data_json: &[u8],
    signature: &[u8],
) -> Result<Vec<u8>, PasskeySignatureError> {
    let client_data_json = std::str::from_utf8(client_data_json)
        .map_err(|_| PasskeySignatureError::ClientDataNotText)?;
    let mut bytes = SELF_DESCRIBED.to_vec();
    serde_cbor::to_writer(
        &mut bytes,
        &WebAuthnSignature {
            authenticator_data,
            client_data_json,
            signature,
        },
    )
    .map_err(|_| PasskeySignatureError::ClientDataNotText)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::cbor::{self, Cbor};

    #[test]
    fn should_encode_the_three_parts_as_a_self_described_map() {
        let bytes = encode(&[1, 2], br#"{"type":"webauthn.get"}"#, &[3]).expect("encodes");
        assert_eq!(&bytes[..3], &SELF_DESCRIBED);
        let map = cbor::decode(&bytes[3..]).expect("CBOR");
        assert_eq!(
            map.get_text("authenticator_data").and_then(Cbor::as_bytes),
            Some(&[1u8, 2][..])
        );
        assert_eq!(
            map.get_text("client_data_json").and_then(Cbor::as_text),
            Some(r#"{"type":"webauthn.get"}"#)
        );
        assert_eq!(
            map.get_text("signature").and_then(Cbor::as_bytes),
            Some(&[3u8][..])
        );
    }

    #[test]
    fn should_refuse_client_data_that_is_not_text() {
        assert_eq!(
            encode(&[], &[0xff, 0xfe], &[]),
            Err(PasskeySignatureError::ClientDataNotText)
        );
    }
}
