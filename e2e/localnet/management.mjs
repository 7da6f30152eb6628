// The management canister of a localnet started by harness.mjs, called as
// the deployer (the controller of every deployed canister) through
// @dfinity/agent: for tests that stop and start a canister under a client.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { Actor, HttpAgent } from '@dfinity/agent';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';

const managementInterface = ({ IDL }) => {
  const canister = IDL.Record({ canister_id: IDL.Principal });
  return IDL.Service({
    stop_canister: IDL.Func([canister], [], []),
    start_canister: IDL.Func([canister], [], []),
  });
};

/** The deployer's identity: its key is a raw 32-byte Ed25519 seed in the state directory. */
async function deployer(net) {
  const seed = await readFile(join(net.stateDir, 'deployer.ed25519'));
  return Ed25519KeyIdentity.fromSecretKey(new Uint8Array(seed));
}

/** Stops (`running: false`) or starts the canister `name` of `net`. */
export async function setCanisterRunning(net, name, running) {
  const canisterId = Principal.fromText(net.ids[name]);
  const agent = await HttpAgent.create({ host: net.url, identity: await deployer(net), shouldFetchRootKey: true });
  const management = Actor.createActor(managementInterface, {
    agent,
    canisterId: Principal.managementCanister(),
    effectiveCanisterId: canisterId,
  });
  const args = { canister_id: canisterId };
  await (running ? management.start_canister(args) : management.stop_canister(args));
}
