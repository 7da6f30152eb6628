//! The fixed identities of the local network: its subnet, its node, and the
//! canister id range it allocates from.
//!
//! Canister ids follow the IC's layout: 8 bytes of big-endian index followed
//! by `0x01 0x01`. The subnet hosts indices `0..CANISTER_RANGE_END`.

use candid::Principal;

/// Index of the first canister the subnet allocates (`rwlgt-iiaaa-aaaaa-aaaaa-cai`).
pub const FIRST_CANISTER_INDEX: u64 = 0;

/// One past the last canister index the subnet may allocate.
pub const CANISTER_RANGE_END: u64 = 1 << 20;

/// The canister id with the given index.
pub fn canister_id(index: u64) -> Principal {
    let mut bytes = [0u8; 10];
    bytes[..8].copy_from_slice(&index.to_be_bytes());
    bytes[8] = 0x01;
    bytes[9] = 0x01;
    Principal::from_slice(&bytes)
}

/// The index of a canister id in this subnet's range, if it is one.
pub fn canister_index(id: &Principal) -> Option<u64> {
    let bytes = id.as_slice();
    if bytes.len() != 10 || bytes[8] != 0x01 || bytes[9] != 0x01 {
        return None;
    }
    let mut index = [0u8; 8];
    index.copy_from_slice(&bytes[..8]);
    let index = u64::from_be_bytes(index);
    (index < CANISTER_RANGE_END).then_some(index)
}

/// The inclusive canister id range this subnet serves.
pub fn canister_range() -> (Principal, Principal) {
    (
        canister_id(FIRST_CANISTER_INDEX),
        canister_id(CANISTER_RANGE_END - 1),
    )
}

/// A self-authenticating principal: `SHA-224(DER public key) · 0x02`.
pub fn self_authenticating(der_public_key: &[u8]) -> Principal {
    Principal::self_authenticating(der_public_key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_give_the_ic_text_form_of_the_first_canister_id() {
        assert_eq!(canister_id(0).to_text(), "rwlgt-iiaaa-aaaaa-aaaaa-cai");
        assert_eq!(canister_id(1).to_text(), "rrkah-fqaaa-aaaaa-aaaaq-cai");
    }

    #[test]
    fn should_round_trip_canister_indices_and_reject_others() {
        assert_eq!(canister_index(&canister_id(42)), Some(42));
        assert_eq!(canister_index(&Principal::anonymous()), None);
        assert_eq!(canister_index(&Principal::management_canister()), None);
        assert_eq!(canister_index(&canister_id(CANISTER_RANGE_END)), None);
    }
}
