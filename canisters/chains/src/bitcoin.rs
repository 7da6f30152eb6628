//! Bitcoin native SegWit addresses (BIP-141, BIP-173): pay to witness
//! public key hash (P2WPKH), whose witness program is HASH160 (RIPEMD-160
//! of SHA-256) of the compressed public key, written as a version-0 bech32
//! address with the network's human-readable part.

use bech32::Hrp;
use k256::PublicKey;
use k256::elliptic_curve::sec1::ToEncodedPoint;
use ripemd::Ripemd160;
use sha2::{Digest, Sha256};

use crate::ChainError;

/// The Bitcoin networks whose addresses Sigil writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BitcoinNetwork {
    Mainnet,
    /// Testnet and signet, which share the `tb` prefix.
    Testnet,
    Regtest,
}

impl BitcoinNetwork {
    fn hrp(self) -> Hrp {
        match self {
            Self::Mainnet => bech32::hrp::BC,
            Self::Testnet => bech32::hrp::TB,
            Self::Regtest => bech32::hrp::BCRT,
        }
    }
}

/// HASH160: RIPEMD-160 of SHA-256.
pub fn hash160(bytes: &[u8]) -> [u8; 20] {
    Ripemd160::digest(Sha256::digest(bytes)).into()
}

/// The P2WPKH address of a secp256k1 key in SEC1 form (compressed or not:
/// SegWit commits to the compressed form).
pub fn p2wpkh_address(sec1: &[u8], network: BitcoinNetwork) -> Result<String, ChainError> {
    let key = PublicKey::from_sec1_bytes(sec1).map_err(|_| ChainError::InvalidSecp256k1Key)?;
    let program = hash160(key.to_encoded_point(true).as_bytes());
    // A 20-byte version-0 program is always encodable.
    bech32::segwit::encode_v0(network.hrp(), &program).map_err(|_| ChainError::InvalidSecp256k1Key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(hex_key: &str) -> Vec<u8> {
        hex::decode(hex_key).expect("hex")
    }

    /// BIP-173's P2WPKH example (the generator point's key).
    #[test]
    fn should_write_the_bip173_example_on_mainnet_and_testnet() {
        let generator = key("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");
        assert_eq!(
            p2wpkh_address(&generator, BitcoinNetwork::Mainnet).as_deref(),
            Ok("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")
        );
        assert_eq!(
            p2wpkh_address(&generator, BitcoinNetwork::Testnet).as_deref(),
            Ok("tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx")
        );
        let regtest = p2wpkh_address(&generator, BitcoinNetwork::Regtest).expect("an address");
        let (hrp, version, program) = bech32::segwit::decode(&regtest).expect("bech32");
        assert_eq!(hrp, bech32::hrp::BCRT);
        assert_eq!(version, bech32::segwit::VERSION_0);
        assert_eq!(program, hash160(&generator));
    }

    /// BIP-84's first receiving address (m/84'/0'/0'/0/0 of its test
    /// mnemonic).
    #[test]
    fn should_write_the_bip84_first_address() {
        let first = key("0330d54fd0dd420a6e5f8d3624f5f3482cae350f79d5f0753bf5beef9c2d91af3c");
        assert_eq!(
            p2wpkh_address(&first, BitcoinNetwork::Mainnet).as_deref(),
            Ok("bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu")
        );
    }

    #[test]
    fn should_commit_to_the_compressed_key_whatever_form_it_is_given_in() {
        let generator = key("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");
        let uncompressed = PublicKey::from_sec1_bytes(&generator)
            .expect("a key")
            .to_encoded_point(false);
        assert_eq!(
            p2wpkh_address(uncompressed.as_bytes(), BitcoinNetwork::Mainnet),
            p2wpkh_address(&generator, BitcoinNetwork::Mainnet)
        );
    }

    #[test]
    fn should_refuse_keys_off_the_curve() {
        assert_eq!(
            p2wpkh_address(&[3; 34], BitcoinNetwork::Mainnet),
            Err(ChainError::InvalidSecp256k1Key)
        );
    }
}
