// Sigil's EVM message signatures checked by ethers (npm, unchanged): the
// identity manager and the signer (release wasm) on localnet, called with
// the JavaScript agent; `ethers.verifyMessage` must recover the address
// that the identity manager gives the account, for text and for bytes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Actor, HttpAgent } from '@dfinity/agent';
import { IDL } from '@dfinity/candid';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { getBytes, hexlify, toUtf8Bytes, verifyMessage } from 'ethers';

import { IDENTITY_MANAGER_ID, chainsCanisters } from './chains.mjs';
import { startLocalnet } from './harness.mjs';

const IM = IDENTITY_MANAGER_ID;

// Only what this test sends and reads; an error is kept as `reserved`,
// which accepts any value.
const result = (ok) => IDL.Variant({ Ok: ok, Err: IDL.Reserved });
const identityManager = () =>
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
    sign_evm_message: IDL.Func(
      [IDL.Record({ account: IDL.Nat64, message: IDL.Vec(IDL.Nat8) })],
      [result(IDL.Record({ address: IDL.Text, signature: IDL.Vec(IDL.Nat8) }))],
      [],
    ),
  });

if (!process.env.SIGNER_WASM) throw new Error('SIGNER_WASM is not set: run the tests through scripts/test');

let net;
let im;
let account;
before(async () => {
  net = await startLocalnet({ canisters: chainsCanisters(process.env.SIGNER_WASM) });
  const identity = Ed25519KeyIdentity.generate();
  const agent = await HttpAgent.create({ host: net.url, identity, shouldFetchRootKey: true });
  im = Actor.createActor(identityManager, { agent, canisterId: IM });
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
  account = created.Ok;
});
after(async () => {
  await net?.stop();
});

async function signed(message) {
  const reply = await im.sign_evm_message({ account, message: [...message] });
  assert.ok('Ok' in reply, 'the message is signed');
  return reply.Ok;
}

test("ethers recovers the account's address from a signed text message", async () => {
  const { evm } = (await im.addresses({ account })).Ok;
  const message = 'Sign in to dapp.example\nNonce: 8f3a';
  const { address, signature } = await signed(toUtf8Bytes(message));
  assert.equal(address, evm);
  assert.equal(getBytes(hexlify(Uint8Array.from(signature))).length, 65);
  assert.equal(verifyMessage(message, hexlify(Uint8Array.from(signature))), evm);
});

test("ethers recovers the account's address from signed bytes", async () => {
  const { evm } = (await im.addresses({ account })).Ok;
  const bytes = Uint8Array.from([0, 1, 2, 0xfe, 0xff]);
  const { signature } = await signed(bytes);
  assert.equal(verifyMessage(bytes, hexlify(Uint8Array.from(signature))), evm);
  assert.notEqual(verifyMessage(Uint8Array.from([0, 1, 2, 0xfe]), hexlify(Uint8Array.from(signature))), evm);
});
