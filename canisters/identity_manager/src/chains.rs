//! Addresses for other chains.
//!
//! An account's threshold keys belong to its global principal: its
//! per-origin principal for Sigil's own origin (`ChainsConfig::global_origin`,
//! see `delegation` for how a principal is derived). The signer holds the
//! keys at fixed derivation paths of that principal; this canister asks it
//! for the public keys and writes the addresses (`sigil_chains`).
//!
//! Invariants: the configuration (signer, origin, Bitcoin network) is set
//! once and never changed, since any change would give every account other
//! addresses (so the addresses written at an account's first lookup are
//! kept for good); only a device of the account (a passkey with two-factor on)
//! learns its addresses: a dapp's session carries a per-origin principal,
//! which is no device, and the anonymous principal is refused.

use candid::Principal;
use ic_stable_structures::Memory;
use sigil_api::identity_manager::{
    AccountNumber, Addresses, BitcoinNetwork, ChainsConfig, Error, EvmChain,
};
use sigil_chains::bitcoin::{self, BitcoinNetwork as Network};
use sigil_chains::evm::Address;
use sigil_chains::{ChainError, solana};

use crate::authorization::authorize;
use crate::delegation::{normalize_origin, principal_of_seed, seed, validate_origin};
use crate::state::Env;
use crate::storage::Storage;

/// Whether `new` may be installed over `kept`: the first configuration
/// with a valid origin, or exactly the kept one again.
pub fn check_config(kept: Option<&ChainsConfig>, new: &ChainsConfig) -> Result<(), String> {
    match kept {
        Some(kept) if kept == new => Ok(()),
        Some(kept) => Err(format!(
            "the chains configuration stays with signer {} and origin {}: another would give every account other addresses",
            kept.signer, kept.global_origin
        )),
        None => {
            validate_origin(&new.global_origin).map_err(|error| error.to_string())?;
            if new.signer == Principal::anonymous() {
                return Err("the signer cannot be the anonymous principal".into());
            }
            Ok(())
        }
    }
}

/// The most EVM chains one identity manager signs for, and the longest
/// name or symbol of one.
pub const MAX_EVM_CHAINS: usize = 16;
const MAX_CHAIN_NAME_LEN: usize = 40;

/// Whether `chains` can be signed for: distinct chain ids above zero,
/// short names and symbols.
pub fn check_evm_chains(chains: &[EvmChain]) -> Result<(), String> {
    if chains.len() > MAX_EVM_CHAINS {
        return Err(format!("at most {MAX_EVM_CHAINS} EVM chains"));
    }
    for (index, chain) in chains.iter().enumerate() {
        if chain.chain_id == 0 {
            return Err("an EVM chain id is never 0".into());
        }
        if chains[..index].iter().any(|c| c.chain_id == chain.chain_id) {
            return Err(format!("EVM chain {} is named twice", chain.chain_id));
        }
        let short = |text: &str| !text.is_empty() && text.len() <= MAX_CHAIN_NAME_LEN;
        if !short(&chain.name) || !short(&chain.symbol) {
            return Err(format!(
                "EVM chain {} needs a name and a symbol of at most {MAX_CHAIN_NAME_LEN} bytes",
                chain.chain_id
            ));
        }
    }
    Ok(())
}

/// The chains configuration and the account's global principal, when the
/// caller is a device of the account.
pub fn owner<M: Memory + Clone>(
    storage: &Storage<M>,
    env: &Env,
    account: AccountNumber,
) -> Result<(ChainsConfig, Principal), Error> {
    authorize(storage, env.caller, account)?;
    let config = storage
        .chains()
        .cloned()
        .ok_or(Error::ChainsNotConfigured)?;
    let salt = storage.header().salt().ok_or(Error::SaltNotSet)?;
    let seed = seed(&salt, account, &normalize_origin(&config.global_origin));
    let owner = principal_of_seed(env.canister_id, &seed);
    Ok((config, owner))
}

/// A key or signature from the signer that does not check out.
pub fn unusable(error: ChainError) -> Error {
    Error::SignerUnavailable {
        message: error.to_string(),
    }
}

/// The public keys the signer gave for one owner.
pub struct OwnerKeys<'a> {
    /// SEC1, Bitcoin family.
    pub bitcoin: &'a [u8],
    /// SEC1, EVM family.
    pub evm: &'a [u8],
    /// Ed25519, Solana family.
    pub solana: &'a [u8],
}

/// The addresses of `owner`'s keys.
pub fn addresses(
    owner: Principal,
    network: BitcoinNetwork,
    keys: OwnerKeys<'_>,
) -> Result<Addresses, Error> {
    let network = match network {
        BitcoinNetwork::Mainnet => Network::Mainnet,
        BitcoinNetwork::Testnet => Network::Testnet,
        BitcoinNetwork::Regtest => Network::Regtest,
    };
    Ok(Addresses {
        owner,
        evm: Address::from_public_key(keys.evm)
            .map_err(unusable)?
            .to_checksummed(),
        bitcoin: bitcoin::p2wpkh_address(keys.bitcoin, network).map_err(unusable)?,
        solana: solana::address(keys.solana).map_err(unusable)?,
    })
}
