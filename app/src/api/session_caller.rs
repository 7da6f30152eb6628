//! Calls as the signed-in person: the request names the passkey's principal
//! as its sender, carries the passkey's public key and its delegation to
//! the session key, and is signed by the session key through WebCrypto.

use std::slice;

use candid::Principal;
use ic_transport_types::EnvelopeContent;

use super::envelope::{self, Signer};
use super::error::ApiError;
use super::network::{Network, Submitted};
use crate::browser::webcrypto::SessionKeyPair;
use crate::browser::{now_nanos, random_bytes};
use crate::session::PasskeyDelegation;

/// The session key with the passkey's delegation to it.
#[derive(Clone)]
pub struct SessionCaller {
    key: SessionKeyPair,
    passkey: PasskeyDelegation,
}

impl SessionCaller {
    pub fn new(key: SessionKeyPair, passkey: PasskeyDelegation) -> Self {
        Self { key, passkey }
    }

    /// The principal the canisters see.
    pub fn principal(&self) -> Principal {
        self.passkey.principal()
    }

    pub fn key(&self) -> &SessionKeyPair {
        &self.key
    }

    pub fn passkey(&self) -> &PasskeyDelegation {
        &self.passkey
    }

    async fn sign(&self, content: &EnvelopeContent) -> Result<Vec<u8>, ApiError> {
        let signature = self.key.sign(&envelope::message_to_sign(content)).await?;
        let signer = Signer {
            public_key: &self.passkey.passkey_public_key,
            delegations: slice::from_ref(&self.passkey.delegation),
        };
        Ok(envelope::encode(content, signer, &signature))
    }

    /// A query call; the reply's node signatures are verified.
    pub async fn query(
        &self,
        network: &Network,
        canister: Principal,
        method: &str,
        arg: Vec<u8>,
    ) -> Result<Vec<u8>, ApiError> {
        let content = envelope::query(self.principal(), canister, method, arg, now_nanos());
        let signed = self.sign(&content).await?;
        network
            .query(canister, content.to_request_id(), signed)
            .await
    }

    /// An update call, waiting for its certified reply.
    pub async fn update(
        &self,
        network: &Network,
        canister: Principal,
        method: &str,
        arg: Vec<u8>,
    ) -> Result<Vec<u8>, ApiError> {
        let nonce = random_bytes::<16>().map_err(|e| ApiError::Signing(e.into()))?;
        let content = envelope::call(self.principal(), canister, method, arg, now_nanos(), nonce);
        let request_id = content.to_request_id();
        let signed = self.sign(&content).await?;
        match network.call(canister, request_id, signed).await? {
            Submitted::Replied(reply) => Ok(reply),
            Submitted::Pending => {
                let status =
                    envelope::request_status(self.principal(), request_id.as_slice(), now_nanos());
                let signed = self.sign(&status).await?;
                network.wait(canister, request_id, signed).await
            }
        }
    }
}
