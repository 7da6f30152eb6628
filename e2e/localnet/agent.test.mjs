// The JavaScript agent (@dfinity/agent, unchanged from npm) against localnet:
// it fetches the root key, verifies certificates and query signatures, and
// the demo canister sees the principals the identities claim.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Actor, HttpAgent } from '@dfinity/agent';
import {
  DelegationChain,
  DelegationIdentity,
  ECDSAKeyIdentity,
  Ed25519KeyIdentity,
} from '@dfinity/identity';
import { Secp256k1KeyIdentity } from '@dfinity/identity-secp256k1';
import { Principal } from '@dfinity/principal';

import { startLocalnet } from './harness.mjs';

const demoInterface = ({ IDL }) =>
  IDL.Service({
    whoami: IDL.Func([], [IDL.Principal], ['query']),
    whoami_update: IDL.Func([], [IDL.Principal], []),
    increment: IDL.Func([], [IDL.Nat64], []),
    counter: IDL.Func([], [IDL.Nat64], ['query']),
  });

let net;
before(async () => {
  net = await startLocalnet();
});
after(async () => {
  await net?.stop();
});

async function demoAs(identity, canisterId = net.ids.demo) {
  const agent = await HttpAgent.create({ host: net.url, identity, shouldFetchRootKey: true });
  return Actor.createActor(demoInterface, { agent, canisterId });
}

async function assertSeenAs(identity, expected) {
  const demo = await demoAs(identity);
  assert.equal((await demo.whoami()).toText(), expected.toText(), 'query caller');
  assert.equal((await demo.whoami_update()).toText(), expected.toText(), 'update caller');
}

test('an Ed25519 identity is seen as its own principal', async () => {
  const identity = Ed25519KeyIdentity.generate();
  await assertSeenAs(identity, identity.getPrincipal());
});

test('a secp256k1 identity is seen as its own principal', async () => {
  const identity = Secp256k1KeyIdentity.generate();
  await assertSeenAs(identity, identity.getPrincipal());
});

test('a P-256 (WebCrypto) identity is seen as its own principal', async () => {
  const identity = await ECDSAKeyIdentity.generate();
  await assertSeenAs(identity, identity.getPrincipal());
});

test('the anonymous agent is seen as the anonymous principal', async () => {
  const agent = await HttpAgent.create({ host: net.url, shouldFetchRootKey: true });
  const demo = Actor.createActor(demoInterface, { agent, canisterId: net.ids.demo });
  assert.equal((await demo.whoami()).toText(), Principal.anonymous().toText());
});

test('a delegation chain is seen as the principal at its root', async () => {
  const root = Ed25519KeyIdentity.generate();
  const middle = Ed25519KeyIdentity.generate();
  const session = Ed25519KeyIdentity.generate();
  const expiration = new Date(Date.now() + 15 * 60 * 1000);
  const first = await DelegationChain.create(root, middle.getPublicKey(), expiration, {
    targets: [Principal.fromText(net.ids.demo)],
  });
  const chain = await DelegationChain.create(middle, session.getPublicKey(), expiration, {
    previous: first,
  });
  await assertSeenAs(DelegationIdentity.fromDelegation(session, chain), root.getPrincipal());
});

test('an update is visible to the next query', async () => {
  const demo = await demoAs(Ed25519KeyIdentity.generate());
  const before = await demo.counter();
  const after = await demo.increment();
  assert.equal(after, before + 1n);
  assert.equal(await demo.counter(), after);
});

test('an expired delegation is refused', async () => {
  const root = Ed25519KeyIdentity.generate();
  const session = Ed25519KeyIdentity.generate();
  const chain = await DelegationChain.create(root, session.getPublicKey(), new Date(Date.now() - 60_000));
  const demo = await demoAs(DelegationIdentity.fromDelegation(session, chain));
  await assert.rejects(demo.whoami_update(), /expir|delegation|invalid/i);
});
