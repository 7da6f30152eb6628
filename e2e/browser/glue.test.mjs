// The app's browser glue for signing in, in a real browser: the WebCrypto
// session key kept in IndexedDB, and passkeys on the CDP virtual
// authenticator. Runs against a build with the cargo feature `e2e-hooks`
// (SIGIL_E2E_DIST, built by scripts/test), whose test-only entry points sit
// on `window.wasmBindings`; no network is needed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser } from './browser.mjs';
import { startSites } from './sites.mjs';

const IC_WEBAUTHN_DER_PREFIX = '305e300c060a2b0601040183b8430101034e00';

let sites;
let browser;

before(async () => {
  const sigilDist = process.env.SIGIL_E2E_DIST;
  if (!sigilDist) throw new Error('SIGIL_E2E_DIST is not set: run the tests through scripts/test');
  sites = await startSites({ networkUrl: 'http://127.0.0.1:9', ids: { demo: 'aaaaa-aa' }, sigilDist });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await sites?.stop();
});

async function openSigil() {
  const page = await browser.open(`${sites.sigilUrl}/`);
  await page.waitForFunction(() => window.wasmBindings?.e2eCreateSessionKey);
  return page;
}

const hex = (bytes) => Buffer.from(bytes).toString('hex');

test('the session key is a non-extractable P-256 CryptoKey in IndexedDB that survives a reload and signs 64 bytes', async () => {
  const page = await openSigil();
  const created = await page.evaluate(async () => {
    const spki = await wasmBindings.e2eCreateSessionKey();
    const stored = await new Promise((resolve, reject) => {
      const open = indexedDB.open('sigil');
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const get = open.result.transaction('keys').objectStore('keys').get('session');
        get.onerror = () => reject(get.error);
        get.onsuccess = () => resolve(get.result);
      };
    });
    return {
      spki: [...spki],
      isCryptoKey: stored.privateKey instanceof CryptoKey,
      extractable: stored.privateKey.extractable,
      curve: stored.privateKey.algorithm.namedCurve,
      exportRefused: await crypto.subtle.exportKey('pkcs8', stored.privateKey).then(
        () => false,
        () => true,
      ),
    };
  });
  assert.equal(created.isCryptoKey, true);
  assert.equal(created.extractable, false);
  assert.equal(created.curve, 'P-256');
  assert.equal(created.exportRefused, true);
  assert.match(hex(created.spki), /^3059301306072a8648ce3d020106082a8648ce3d03010703420004/);

  await page.reload();
  await page.waitForFunction(() => window.wasmBindings?.e2eSignWithStoredKey);
  const signed = await page.evaluate(async () => {
    const message = new TextEncoder().encode('a request id');
    const { spki, signature } = await wasmBindings.e2eSignWithStoredKey(message);
    const key = await crypto.subtle.importKey('spki', spki, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    return {
      spki: [...spki],
      signatureLength: signature.length,
      valid: await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, signature, message),
    };
  });
  assert.deepEqual(signed.spki, created.spki, 'the same key after a reload');
  assert.equal(signed.signatureLength, 64);
  assert.equal(signed.valid, true);

  assert.equal(await page.evaluate(() => wasmBindings.e2eDeleteSessionKey()), true);
  await page.close();
});

test('a passkey is created in the IC key format and signs a discoverable assertion without allowCredentials', async () => {
  const page = await openSigil();
  const created = await page.evaluate(async () => {
    const passkey = await wasmBindings.e2eCreatePasskey(
      crypto.getRandomValues(new Uint8Array(16)),
      crypto.getRandomValues(new Uint8Array(32)),
    );
    return { ...passkey, credentialId: [...passkey.credentialId], publicKeyDer: [...passkey.publicKeyDer] };
  });
  assert.ok(hex(created.publicKeyDer).startsWith(IC_WEBAUTHN_DER_PREFIX), hex(created.publicKeyDer));
  assert.equal(created.publicKeyDer.length, 0x5e + 2);
  assert.ok(created.alias.length > 0 && created.alias.length <= 64, created.alias);

  const { cdp, authenticatorId } = await browser.authenticator(page);
  const before = (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
  assert.equal(before.length, 1);
  assert.equal(before[0].isResidentCredential, true, 'a discoverable credential');
  assert.equal(hex(Buffer.from(before[0].credentialId, 'base64')), hex(created.credentialId));

  const checked = await page.evaluate(async (der) => {
    const challenge = crypto.getRandomValues(new Uint8Array(32));
    const assertion = await wasmBindings.e2eGetAssertion(challenge);
    // The COSE key's x (-2) and y (-3) coordinates, as a JWK.
    const cose = new Uint8Array(der.slice(19));
    const coordinate = (label) => {
      for (let i = 0; i + 35 <= cose.length; i++) {
        if (cose[i] === label && cose[i + 1] === 0x58 && cose[i + 2] === 32) return cose.slice(i + 3, i + 35);
      }
      throw new Error('no coordinate');
    };
    const base64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const key = await crypto.subtle.importKey(
      'jwk',
      { kty: 'EC', crv: 'P-256', x: base64url(coordinate(0x21)), y: base64url(coordinate(0x22)) },
      { name: 'ECDSA', namedCurve: 'P-256' },
      false,
      ['verify'],
    );
    // WebAuthn signs authenticatorData || SHA-256(clientDataJSON), DER-encoded.
    const clientHash = new Uint8Array(await crypto.subtle.digest('SHA-256', assertion.clientDataJson));
    const signed = new Uint8Array([...assertion.authenticatorData, ...clientHash]);
    const der32 = (bytes) => {
      const trimmed = bytes.slice(bytes.findIndex((b, i) => b !== 0 || i === bytes.length - 1));
      const out = new Uint8Array(32);
      out.set(trimmed, 32 - trimmed.length);
      return out;
    };
    const sig = assertion.signature;
    const rLength = sig[3];
    const r = sig.slice(4, 4 + rLength);
    const s = sig.slice(6 + rLength, 6 + rLength + sig[5 + rLength]);
    const raw = new Uint8Array([...der32(r), ...der32(s)]);
    const clientData = JSON.parse(new TextDecoder().decode(assertion.clientDataJson));
    const expectedChallenge = base64url(challenge);
    return {
      credentialId: [...assertion.credentialId],
      type: clientData.type,
      challengeMatches: clientData.challenge === expectedChallenge,
      userVerified: (assertion.authenticatorData[32] & 0x04) !== 0,
      valid: await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, raw, signed),
    };
  }, created.publicKeyDer);
  assert.deepEqual(checked.credentialId, created.credentialId);
  assert.equal(checked.type, 'webauthn.get');
  assert.equal(checked.challengeMatches, true);
  assert.equal(checked.userVerified, true);
  assert.equal(checked.valid, true, 'the assertion verifies with the registered key');

  const after = (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
  assert.equal(after[0].signCount, before[0].signCount + 1, 'exactly one assertion');
  await page.close();
});
