// The identity manager's methods for signing, as the JavaScript agent's
// IDL (only what the peer tests and the signing measurement send and
// read), and a new account to sign with.
import assert from 'node:assert/strict';

import { Actor, HttpAgent } from '@dfinity/agent';
import { IDL } from '@dfinity/candid';
import { Ed25519KeyIdentity } from '@dfinity/identity';

import { IDENTITY_MANAGER_ID } from './chains.mjs';

// An error is kept as `reserved`, which accepts any value.
const result = (ok) => IDL.Variant({ Ok: ok, Err: IDL.Reserved });
const EvmTransactionRequest = IDL.Record({
  chain_id: IDL.Text,
  nonce: IDL.Text,
  to: IDL.Opt(IDL.Text),
  value: IDL.Opt(IDL.Text),
  data: IDL.Opt(IDL.Text),
  gas: IDL.Text,
  gas_price: IDL.Opt(IDL.Text),
  max_fee_per_gas: IDL.Opt(IDL.Text),
  max_priority_fee_per_gas: IDL.Opt(IDL.Text),
  access_list: IDL.Opt(IDL.Vec(IDL.Record({ address: IDL.Text, storage_keys: IDL.Vec(IDL.Text) }))),
});
const SignatureRequest = IDL.Variant({
  EvmMessage: IDL.Record({ message: IDL.Vec(IDL.Nat8) }),
  EvmTypedData: IDL.Record({ json: IDL.Text }),
  EvmTransaction: EvmTransactionRequest,
});
const Review = IDL.Record({
  title: IDL.Text,
  fields: IDL.Vec(IDL.Record({ label: IDL.Text, value: IDL.Text })),
  warnings: IDL.Vec(IDL.Text),
});
const Signed = IDL.Variant({
  EvmSignature: IDL.Record({ address: IDL.Text, signature: IDL.Vec(IDL.Nat8) }),
  EvmTransaction: IDL.Record({ address: IDL.Text, raw: IDL.Vec(IDL.Nat8), hash: IDL.Vec(IDL.Nat8) }),
});
export const identityManager = () =>
  IDL.Service({
    create_account: IDL.Func(
      [
        IDL.Record({
          device: IDL.Record({
            public_key: IDL.Vec(IDL.Nat8),
            alias: IDL.Text,
            credential_id: IDL.Opt(IDL.Vec(IDL.Nat8)),
            purpose: IDL.Variant({ Authentication: IDL.Null }),
            key_type: IDL.Variant({ Ed25519: IDL.Null }),
            protected: IDL.Bool,
          }),
        }),
      ],
      [result(IDL.Nat64)],
      [],
    ),
    addresses: IDL.Func([IDL.Record({ account: IDL.Nat64 })], [result(IDL.Record({ evm: IDL.Text }))], []),
    prepare_signature: IDL.Func(
      [IDL.Record({ account: IDL.Nat64, request: SignatureRequest, origin: IDL.Opt(IDL.Text) })],
      [result(IDL.Record({ id: IDL.Nat64, review: Review }))],
      [],
    ),
    approve_signature: IDL.Func(
      [IDL.Record({ account: IDL.Nat64, id: IDL.Nat64 })],
      [result(Signed)],
      [],
    ),
  });


/**
 * A new account on the network at `url`, its only device a fresh Ed25519
 * key: the identity manager as that key (`im`), the account and its EVM
 * address.
 */
export async function openAccount(url) {
  const identity = Ed25519KeyIdentity.generate();
  const agent = await HttpAgent.create({ host: url, identity, shouldFetchRootKey: true });
  const im = Actor.createActor(identityManager, { agent, canisterId: IDENTITY_MANAGER_ID });
  const created = await im.create_account({
    device: {
      public_key: [...new Uint8Array(identity.getPublicKey().toDer())],
      alias: 'laptop',
      credential_id: [],
      purpose: { Authentication: null },
      key_type: { Ed25519: null },
      protected: false,
    },
  });
  assert.ok('Ok' in created, 'the account is created');
  const account = created.Ok;
  const evm = (await im.addresses({ account })).Ok.evm;
  return { im, account, evm };
}
