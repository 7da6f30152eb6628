//! Calls as the signed-in person: the request names the passkey's principal
//! as its sender, carries the passkey's public key and its delegation to
//! the session key, and is signed by the session key through WebCrypto.

use std::slice;

use candid::Principal;
use ic_agent::Agent;
use ic_agent::agent::CallResponse;
use ic_transport_types::EnvelopeContent;

use super::envelope::{self, Signer};
use super::error::ApiError;
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

    /// A query call; the reply's node signatures are verified by the agent.
    pub async fn query(
        &self,
        agent: &Agent,
        canister: Principal,
        method: &str,
        arg: Vec<u8>,
    ) -> Result<Vec<u8>, ApiError> {
        let content = envelope::query(self.principal(), canister, method, arg, now_nanos());
        let signed = self.sign(&content).await?;
        Ok(agent.query_signed(canister, signed).await?)
    }

    /// An update call, waiting for its certified reply.
    pub async fn update(
        &self,
        agent: &Agent,
        canister: Principal,
        method: &str,
        arg: Vec<u8>,
    ) -> Result<Vec<u8>, ApiError> {
        let nonce = random_bytes::<16>().map_err(|e| ApiError::Signing(e.into()))?;
        let content = envelope::call(self.principal(), canister, method, arg, now_nanos(), nonce);
        let signed = self.sign(&content).await?;
        match agent.update_signed(canister, signed).await? {
            CallResponse::Response(reply) => Ok(reply),
            CallResponse::Poll(request_id) => {
                let status =
                    envelope::request_status(self.principal(), request_id.as_slice(), now_nanos());
                let signed = self.sign(&status).await?;
                let (reply, _certificate) =
                    agent.wait_signed(&request_id, canister, signed).await?;
                Ok(reply)
            }
        }
    }
}
