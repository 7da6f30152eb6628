//! A transaction a dapp asked for, with what it left out filled in by the
//! chain's node: the nonce, the gas (an estimate) and fees (the node's
//! suggestion). The node is trusted with nothing: what it says is reviewed
//! by the identity manager and shown to the person, who may change the
//! fees.

use sigil_api::identity_manager::{EvmTransactionRequest, SignatureRequest};

use crate::api::evm_node::EvmNode;
use crate::config::EvmChainConfig;
use crate::provider::error::ProviderError;
use crate::provider::transaction::{Fees, TransactionParams};

/// A transaction with what the node filled in, and the fees the person may
/// change.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub chain: EvmChainConfig,
    pub params: TransactionParams,
    pub nonce: u128,
    pub gas: u128,
    pub fees: Fees,
    /// `eth_sendTransaction` (else `eth_signTransaction`).
    pub send: bool,
}

impl Draft {
    /// `params` from `address` on `chain`, with the node's nonce, gas
    /// estimate and fees where the dapp gave none.
    pub async fn fill(
        chain: EvmChainConfig,
        params: &TransactionParams,
        address: &str,
        send: bool,
    ) -> Result<Self, ProviderError> {
        let node = EvmNode::new(&chain.name, &chain.rpc_url);
        let failure = |error| ProviderError::Internal(format!("{error}"));
        let nonce = match params.nonce {
            Some(nonce) => nonce,
            None => node.nonce(address).await.map_err(failure)?,
        };
        let gas = match params.gas {
            Some(gas) => gas,
            None => node
                .estimate_gas(params.estimate_call(address))
                .await
                .map_err(failure)?,
        };
        let fees = match params.fees {
            Some(fees) => fees,
            None if params.legacy => Fees::Legacy {
                gas_price: node.gas_price().await.map_err(failure)?,
            },
            None => {
                let fees = node.fees().await.map_err(failure)?;
                Fees::Eip1559 {
                    max_fee_per_gas: fees.max_fee_per_gas,
                    max_priority_fee_per_gas: fees.max_priority_fee_per_gas,
                }
            }
        };
        Ok(Self {
            chain,
            params: params.clone(),
            nonce,
            gas,
            fees,
            send,
        })
    }

    fn request(&self) -> EvmTransactionRequest {
        self.params
            .request(self.chain.chain_id, self.nonce, self.gas, self.fees)
    }

    pub fn signature_request(&self) -> SignatureRequest {
        SignatureRequest::EvmTransaction(Box::new(self.request()))
    }
}
