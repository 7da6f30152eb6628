// Sigil's EVM signatures checked by ethers (npm, unchanged) and by a real
// EVM node: the identity manager and the signer (release wasm) on localnet,
// called with the JavaScript agent, and Hardhat's node on chain 31337.
// ethers must recover the account's address from messages, typed data
// (EIP-712 `Mail` and an EIP-2612 `Permit`) and transactions; the node must
// mine an EIP-1559 transfer and a legacy contract creation signed by
// Sigil, and run the contract.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  JsonRpcProvider,
  Transaction,
  TypedDataEncoder,
  getCreateAddress,
  hexlify,
  keccak256,
  parseEther,
  toBeHex,
  toUtf8Bytes,
  verifyMessage,
  verifyTypedData,
} from 'ethers';

import { chainsCanisters } from './chains.mjs';
import { HARDHAT_CHAIN_ID, startHardhat } from './hardhat.mjs';
import { startLocalnet } from './harness.mjs';
import { openAccount } from './signing.mjs';

if (!process.env.SIGNER_WASM) throw new Error('SIGNER_WASM is not set: run the tests through scripts/test');

let net;
let node;
let chain;
let im;
let account;
let evm;
before(async () => {
  [net, node] = await Promise.all([
    startLocalnet({ canisters: chainsCanisters(process.env.SIGNER_WASM) }),
    startHardhat(),
  ]);
  chain = new JsonRpcProvider(node.url, HARDHAT_CHAIN_ID, { staticNetwork: true });
  ({ im, account, evm } = await openAccount(net.url));
});
after(async () => {
  chain?.destroy();
  await Promise.all([net?.stop(), node?.stop()]);
});

/** Prepares and approves `request`: its review and what was signed. */
async function sign(request) {
  const prepared = await im.prepare_signature({ account, request, origin: [] });
  assert.ok('Ok' in prepared, 'the request is prepared');
  const signed = await im.approve_signature({ account, id: prepared.Ok.id });
  assert.ok('Ok' in signed, 'the request is signed');
  return { review: prepared.Ok.review, signed: signed.Ok };
}

const field = (review, label) => review.fields.find((f) => f.label === label)?.value;

async function signMessage(bytes) {
  const { signed } = await sign({ EvmMessage: { message: [...bytes] } });
  assert.equal(signed.EvmSignature.address, evm);
  return hexlify(Uint8Array.from(signed.EvmSignature.signature));
}

async function signTypedData(domain, types, message) {
  const json = JSON.stringify(TypedDataEncoder.getPayload(domain, types, message));
  const { review, signed } = await sign({ EvmTypedData: { json } });
  return { review, signature: hexlify(Uint8Array.from(signed.EvmSignature.signature)) };
}

/** A transaction request as a dapp's JSON-RPC would give it. */
function transactionRequest(fields) {
  const optional = (value) => (value === undefined ? [] : [value]);
  return {
    EvmTransaction: {
      chain_id: String(HARDHAT_CHAIN_ID),
      nonce: toBeHex(fields.nonce),
      to: optional(fields.to),
      value: optional(fields.value === undefined ? undefined : toBeHex(fields.value)),
      data: optional(fields.data),
      gas: toBeHex(fields.gas),
      gas_price: optional(fields.gasPrice === undefined ? undefined : toBeHex(fields.gasPrice)),
      max_fee_per_gas: optional(fields.maxFeePerGas === undefined ? undefined : toBeHex(fields.maxFeePerGas)),
      max_priority_fee_per_gas: optional(
        fields.maxPriorityFeePerGas === undefined ? undefined : toBeHex(fields.maxPriorityFeePerGas),
      ),
      access_list: [],
    },
  };
}

/** Signs the transaction in Sigil and has the node mine it: its receipt. */
async function sendThroughSigil(fields) {
  const { review, signed } = await sign(transactionRequest(fields));
  const raw = hexlify(Uint8Array.from(signed.EvmTransaction.raw));
  const decoded = Transaction.from(raw);
  assert.equal(decoded.from, evm, 'ethers recovers the account as the sender');
  assert.equal(hexlify(Uint8Array.from(signed.EvmTransaction.hash)), keccak256(raw));
  const sent = await chain.broadcastTransaction(raw);
  assert.equal(sent.hash, decoded.hash);
  const receipt = await sent.wait();
  assert.equal(receipt.status, 1, 'the node ran the transaction');
  return { review, decoded, receipt };
}

test("ethers recovers the account's address from a signed text message and bytes", async () => {
  const message = 'Sign in to dapp.example\nNonce: 8f3a';
  assert.equal(verifyMessage(message, await signMessage(toUtf8Bytes(message))), evm);
  const bytes = Uint8Array.from([0, 1, 2, 0xfe, 0xff]);
  const signature = await signMessage(bytes);
  assert.equal(verifyMessage(bytes, signature), evm);
  assert.notEqual(verifyMessage(Uint8Array.from([0, 1, 2, 0xfe]), signature), evm);
});

test("ethers recovers the account's address from EIP-712 Mail and an EIP-2612 Permit", async () => {
  const mailDomain = {
    name: 'Ether Mail',
    version: '1',
    chainId: HARDHAT_CHAIN_ID,
    verifyingContract: '0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC',
  };
  const mailTypes = {
    Person: [
      { name: 'name', type: 'string' },
      { name: 'wallet', type: 'address' },
    ],
    Mail: [
      { name: 'from', type: 'Person' },
      { name: 'to', type: 'Person' },
      { name: 'contents', type: 'string' },
    ],
  };
  const mail = {
    from: { name: 'Cow', wallet: '0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826' },
    to: { name: 'Bob', wallet: '0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB' },
    contents: 'Hello, Bob!',
  };
  const signedMail = await signTypedData(mailDomain, mailTypes, mail);
  assert.equal(verifyTypedData(mailDomain, mailTypes, mail, signedMail.signature), evm);
  assert.notEqual(verifyTypedData(mailDomain, mailTypes, { ...mail, contents: 'Hi' }, signedMail.signature), evm);

  const permitDomain = {
    name: 'USD Coin',
    version: '2',
    chainId: HARDHAT_CHAIN_ID,
    verifyingContract: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48',
  };
  const permitTypes = {
    Permit: [
      { name: 'owner', type: 'address' },
      { name: 'spender', type: 'address' },
      { name: 'value', type: 'uint256' },
      { name: 'nonce', type: 'uint256' },
      { name: 'deadline', type: 'uint256' },
    ],
  };
  const permit = {
    owner: evm,
    spender: '0x1111111254EEB25477B68fb85Ed929f73A960582',
    value: 25_000_000n,
    nonce: 0n,
    deadline: 1_900_000_000n,
  };
  const signedPermit = await signTypedData(permitDomain, permitTypes, permit);
  assert.equal(verifyTypedData(permitDomain, permitTypes, permit, signedPermit.signature), evm);
  assert.match(JSON.stringify(signedPermit.review), /USD Coin/);
});

test('Hardhat mines an EIP-1559 transfer and a legacy contract creation signed by Sigil', async () => {
  await chain.send('hardhat_setBalance', [evm, toBeHex(parseEther('10'))]);
  const recipient = '0x3535353535353535353535353535353535353535';
  const fees = await chain.getFeeData();
  const transfer = await sendThroughSigil({
    nonce: await chain.getTransactionCount(evm),
    to: recipient,
    value: parseEther('0.05'),
    gas: 21_000n,
    maxFeePerGas: fees.maxFeePerGas,
    maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
  });
  assert.equal(transfer.decoded.type, 2);
  assert.equal(transfer.review.title, 'Send 0.05 ETH');
  assert.equal(field(transfer.review, 'To'), recipient);
  assert.equal(await chain.getBalance(recipient), parseEther('0.05'));
  const paid = transfer.receipt.gasUsed * transfer.receipt.gasPrice;
  assert.equal(await chain.getBalance(evm), parseEther('10') - parseEther('0.05') - paid);

  // Init code that returns the runtime code `return(42)`.
  const runtime = '602a60005260206000f3';
  const initCode = `0x600a600c600039600a6000f3${runtime}`;
  const nonce = await chain.getTransactionCount(evm);
  const created = await sendThroughSigil({ nonce, data: initCode, gas: 100_000n, gasPrice: fees.gasPrice });
  assert.equal(created.decoded.type, 0);
  assert.equal(created.decoded.chainId, BigInt(HARDHAT_CHAIN_ID));
  const address = getCreateAddress({ from: evm, nonce });
  assert.equal(created.receipt.contractAddress, address);
  assert.equal(field(created.review, "New contract's address"), address);
  assert.equal(await chain.getCode(address), `0x${runtime}`);
  assert.equal(BigInt(await chain.call({ to: address })), 42n);
});
