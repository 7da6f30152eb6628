// The identity manager with a signer, as a deploy configuration for
// localnet: both created with fixed ids (so that each install argument can
// name the other), the identity manager configured for chains (regtest
// Bitcoin addresses, and the local Hardhat node's EVM chain 31337). Used by the peer and browser tests and by
// `scripts/run`: `node e2e/localnet/chains.mjs <wasm dir>` prints the
// whole deploy configuration (demo, identity_manager and signer, each
// `<name>.wasm` in that folder).
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';

/** A canister id of the local subnet: 8 bytes of index, then 0x01 0x01. */
export function canisterId(index) {
  const bytes = new Uint8Array(10);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(index));
  bytes.set([1, 1], 8);
  return Principal.fromUint8Array(bytes);
}

export const IDENTITY_MANAGER_ID = canisterId(2_000);
export const SIGNER_ID = canisterId(2_001);
/** Sigil's origin under `scripts/run`: the accounts' global principals are theirs at it. */
export const GLOBAL_ORIGIN = 'http://localhost:8080';

const ChainsConfig = IDL.Record({
  signer: IDL.Principal,
  global_origin: IDL.Text,
  bitcoin_network: IDL.Variant({ Regtest: IDL.Null }),
});
const EvmChain = IDL.Record({ chain_id: IDL.Nat64, name: IDL.Text, symbol: IDL.Text });
// Only the fields set here; the others are optional and stay null.
const InitArgs = IDL.Record({ chains: IDL.Opt(ChainsConfig), evm_chains: IDL.Opt(IDL.Vec(EvmChain)) });
/** The EVM chains the identity manager signs for: the local Hardhat node's. */
export const EVM_CHAINS = [{ chain_id: 31337n, name: 'Hardhat', symbol: 'ETH' }];
const SignerInit = IDL.Record({ identity_manager: IDL.Principal, key_name: IDL.Text });

const hex = (bytes) => Buffer.from(bytes).toString('hex');

/**
 * The deploy entries `{ identity_manager, signer }` (localnet's config
 * format) for the signer's wasm at `signerWasm`.
 */
export function chainsCanisters(signerWasm, { globalOrigin = GLOBAL_ORIGIN } = {}) {
  const imInit = IDL.encode([IDL.Opt(InitArgs)], [
    [
      {
        chains: [{ signer: SIGNER_ID, global_origin: globalOrigin, bitcoin_network: { Regtest: null } }],
        evm_chains: [EVM_CHAINS],
      },
    ],
  ]);
  const signerInit = IDL.encode([SignerInit], [{ identity_manager: IDENTITY_MANAGER_ID, key_name: 'dfx_test_key' }]);
  return {
    identity_manager: { id: IDENTITY_MANAGER_ID.toText(), init_arg_hex: hex(imInit) },
    signer: { wasm: signerWasm, id: SIGNER_ID.toText(), init_arg_hex: hex(signerInit) },
  };
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const [wasmDir] = process.argv.slice(2);
  if (!wasmDir) {
    console.error('usage: chains.mjs <wasm dir>');
    process.exit(2);
  }
  const wasm = (name) => `${wasmDir}/${name}.wasm`;
  const chains = chainsCanisters(wasm('signer'));
  const canisters = {
    demo: { wasm: wasm('demo') },
    identity_manager: { wasm: wasm('identity_manager'), ...chains.identity_manager },
    signer: chains.signer,
  };
  console.log(JSON.stringify({ canisters }, null, 2));
}
