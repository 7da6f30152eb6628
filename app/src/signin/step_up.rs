//! Confirming one signature with a passkey, where the account's policy asks
//! for one: an assertion over the identity manager's challenge, by one of
//! the account's passkeys, as the identity manager reads it.

use sigil_api::identity_manager::StepUpAssertion;

use crate::browser::webauthn::get_assertion;
use crate::session::passkey_signature;

/// A passkey's assertion over `challenge`, for the identity manager.
pub async fn step_up(
    challenge: &[u8],
    credential_ids: &[Vec<u8>],
) -> Result<StepUpAssertion, String> {
    let assertion = get_assertion(challenge, credential_ids)
        .await
        .map_err(|e| e.to_string())?;
    let signature = passkey_signature::encode(
        &assertion.authenticator_data,
        &assertion.client_data_json,
        &assertion.signature,
    )
    .map_err(|e| e.to_string())?;
    Ok(StepUpAssertion {
        credential_id: assertion.credential_id.into(),
        signature: signature.into(),
    })
}
