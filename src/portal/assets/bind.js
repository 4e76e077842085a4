// "Bind to this browser": the holder key is made here, non-extractable, and kept in IndexedDB; the
// proof of possession (OpenID4VCI 1.0 Appendix F.1) is signed here. The server only hands over the
// c_nonce and takes back the signed proof, so it never holds the private key.
(() => {
  const DB = 'attesta-holder';
  const STORE = 'keys';
  const KEY_ID = 'holder-es256';

  const b64u = (bytes) =>
    btoa(String.fromCharCode(...new Uint8Array(bytes)))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
  const text = (value) => b64u(new TextEncoder().encode(value));

  function database() {
    return new Promise((resolve, reject) => {
      const open = indexedDB.open(DB, 1);
      open.onupgradeneeded = () => open.result.createObjectStore(STORE);
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
  }

  function transact(db, mode, action) {
    return new Promise((resolve, reject) => {
      const request = action(db.transaction(STORE, mode).objectStore(STORE));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  /** The browser's holder key pair: reused when it exists, else made (private key non-extractable). */
  async function holderKey() {
    const db = await database();
    const existing = await transact(db, 'readonly', (s) => s.get(KEY_ID));
    if (existing) return existing;
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    await transact(db, 'readwrite', (s) => s.put(pair, KEY_ID));
    return pair;
  }

  async function bind(root) {
    const pair = await holderKey();
    const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
    const header = { typ: 'openid4vci-proof+jwt', alg: 'ES256', jwk: { kty, crv, x, y } };
    const payload = { aud: root.dataset.audience, iat: Math.floor(Date.now() / 1000) };
    if (root.dataset.nonce) payload.nonce = root.dataset.nonce;
    const input = `${text(JSON.stringify(header))}.${text(JSON.stringify(payload))}`;
    // WebCrypto's ECDSA signature is r||s, exactly the JWS form (RFC 7518 §3.4).
    const signature = await crypto.subtle.sign(
      { name: 'ECDSA', hash: 'SHA-256' },
      pair.privateKey,
      new TextEncoder().encode(input),
    );
    document.getElementById('proof').value = `${input}.${b64u(signature)}`;
    document.getElementById('bind-form').submit();
  }

  document.addEventListener('DOMContentLoaded', () => {
    const root = document.getElementById('bind');
    if (!root) return;
    bind(root).catch(() => {
      const failure = document.getElementById('bind-error');
      if (failure) failure.hidden = false;
    });
  });
})();
