// The raw node:crypto cost of the issuer's own steps for one credential, measured alone in this
// process (CPU time per credential, after a warm-up): the bound an issuer cannot go below with these
// primitives. Token verification uses a key imported once (a JWKS is cached); each proof brings a key
// of its own, so its import is counted; SD-JWT assembly is one randomBytes call for the salts and one
// SHA-256 per disclosure.
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { encode as cborEncode, Tag } from 'cbor-x';
import { MDL_ELEMENTS, NATIONAL_ID_CLAIMS } from '../../test/helpers/demo-records.js';

const b64u = (value) => Buffer.from(value).toString('base64url');

function jws(privateKey, header, payload) {
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(payload))}`;
  return `${input}.${b64u(sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }))}`;
}

function verifyJws(token, key) {
  const dot = token.lastIndexOf('.');
  return verify(
    'sha256',
    Buffer.from(token.slice(0, dot)),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(token.slice(dot + 1), 'base64url'),
  );
}

// The national_id_sd_jwt claims: seven members disclosed one by one, the address as an object of its
// own (disclosed, with its members disclosed inside it), `issuing_country` in the clear.
const { address: ADDRESS, issuing_country: ISSUING_COUNTRY, ...CLAIMS } = NATIONAL_ID_CLAIMS;

/** RFC 9901 §4.2: 12 disclosures (7 members, the address and its 4 members), salts from one random call. */
function sdJwt(issuerKey, holderJwk) {
  const salts = randomBytes(16 * 12);
  let n = 0;
  const disclosures = [];
  const disclose = (name, value) => {
    const d = b64u(JSON.stringify([b64u(salts.subarray(16 * n, 16 * ++n)), name, value]));
    disclosures.push(d);
    return b64u(createHash('sha256').update(d).digest());
  };
  const address = { _sd: Object.entries(ADDRESS).map(([k, v]) => disclose(k, v)) };
  const _sd = [...Object.entries(CLAIMS).map(([k, v]) => disclose(k, v)), disclose('address', address)];
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    iss: 'http://localhost:3002',
    iat: now,
    exp: now + 31536000,
    vct: 'http://localhost:3002/types/national-id',
    cnf: { jwk: holderJwk },
    status: { status_list: { idx: 4711, uri: 'http://localhost:3002/status/token/1' } },
    issuing_country: ISSUING_COUNTRY,
    _sd,
    _sd_alg: 'sha-256',
  };
  return `${jws(issuerKey, { typ: 'dc+sd-jwt', alg: 'ES256', kid: 'k' }, payload)}~${disclosures.join('~')}~`;
}

const MDL = { ...MDL_ELEMENTS, portrait: Buffer.alloc(64) };

/** ISO/IEC 18013-5 §9.1.2.4: IssuerSignedItems (tag 24), their digests in the MSO, COSE_Sign1 (RFC 9052 §4.4). */
function mdoc(issuerKey, holderJwk) {
  const salts = randomBytes(32 * 11);
  const digests = new Map();
  const items = Object.entries(MDL).map(([elementIdentifier, elementValue], digestID) => {
    const item = new Tag(
      cborEncode({
        digestID,
        random: salts.subarray(32 * digestID, 32 * digestID + 32),
        elementIdentifier,
        elementValue,
      }),
      24,
    );
    digests.set(digestID, createHash('sha256').update(cborEncode(item)).digest());
    return item;
  });
  const now = new Date();
  const mso = cborEncode(
    new Tag(
      cborEncode({
        version: '1.0',
        digestAlgorithm: 'SHA-256',
        valueDigests: new Map([['org.iso.18013.5.1', digests]]),
        deviceKeyInfo: {
          deviceKey: new Map([
            [1, 2],
            [-1, 1],
            [-2, Buffer.from(holderJwk.x, 'base64url')],
            [-3, Buffer.from(holderJwk.y, 'base64url')],
          ]),
        },
        docType: 'org.iso.18013.5.1.mDL',
        validityInfo: { signed: now, validFrom: now, validUntil: now },
      }),
      24,
    ),
  );
  const protectedHeader = cborEncode(new Map([[1, -7]]));
  const toBeSigned = cborEncode(['Signature1', protectedHeader, Buffer.alloc(0), mso]);
  const signature = sign('sha256', toBeSigned, { key: issuerKey, dsaEncoding: 'ieee-p1363' });
  return cborEncode({
    nameSpaces: { 'org.iso.18013.5.1': items },
    issuerAuth: [protectedHeader, new Map(), mso, signature],
  });
}

function fixtures() {
  const authz = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const issuer = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const holders = Array.from({ length: 1000 }, () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    return { privateKey, jwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y } };
  });
  const token = jws(
    authz.privateKey,
    { typ: 'at+jwt', alg: 'ES256' },
    { iss: 'a', sub: 's', aud: 'i', exp: 2e9, scope: 'national_id' },
  );
  const proofs = holders.map((h) =>
    jws(
      h.privateKey,
      { typ: 'openid4vci-proof+jwt', alg: 'ES256', jwk: h.jwk },
      { aud: 'i', iat: 1, nonce: 'n'.repeat(43) },
    ),
  );
  const dpops = holders.map((h) =>
    jws(
      h.privateKey,
      { typ: 'dpop+jwt', alg: 'ES256', jwk: h.jwk },
      { jti: 'j', htm: 'POST', htu: 'http://i/credential', iat: 1, ath: 'a'.repeat(43) },
    ),
  );
  return { authz, issuer, holders, token, proofs, dpops };
}

function proofStep(fx, i) {
  const proof = fx.proofs[i % 1000];
  const jwk = JSON.parse(Buffer.from(proof.split('.')[0], 'base64url')).jwk;
  if (!verifyJws(proof, createPublicKey({ key: jwk, format: 'jwk' }))) throw new Error('raw: proof');
  return jwk;
}

const STEPS = {
  /** token verify + proof import/verify + SD-JWT VC sign. */
  'sd-jwt-bearer': (fx, i) => {
    if (!verifyJws(fx.token, fx.authz.publicKey)) throw new Error('raw: token');
    sdJwt(fx.issuer.privateKey, proofStep(fx, i));
  },
  /** + the DPoP proof's import/verify and the token hash. */
  'sd-jwt-dpop': (fx, i) => {
    STEPS['sd-jwt-bearer'](fx, i);
    const dpop = fx.dpops[i % 1000];
    const jwk = JSON.parse(Buffer.from(dpop.split('.')[0], 'base64url')).jwk;
    if (!verifyJws(dpop, createPublicKey({ key: jwk, format: 'jwk' }))) throw new Error('raw: dpop');
    createHash('sha256').update(fx.token).digest();
    createHash('sha256').update(JSON.stringify(jwk)).digest();
  },
  /** One token for ten proofs and ten credentials (per credential: a tenth of the token). */
  'sd-jwt-batch10': (fx, i) => {
    if (i % 10 === 0 && !verifyJws(fx.token, fx.authz.publicKey)) throw new Error('raw: token');
    sdJwt(fx.issuer.privateKey, proofStep(fx, i));
  },
  /** token + proof + one ES256 JWS of a VC. */
  'jwt-vc-json': (fx, i) => {
    if (!verifyJws(fx.token, fx.authz.publicKey)) throw new Error('raw: token');
    const jwk = proofStep(fx, i);
    jws(
      fx.issuer.privateKey,
      { typ: 'vc+jwt', alg: 'ES256', kid: 'k' },
      {
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        type: ['VerifiableCredential', 'NationalIdCredential'],
        issuer: 'did:web:localhost%3A3002',
        credentialSubject: { id: `did:jwk:${b64u(JSON.stringify(jwk))}`, ...CLAIMS, address: ADDRESS },
      },
    );
  },
  /** token + proof + the MSO in CBOR (11 IssuerSignedItems, each tag 24 and digested) and a COSE_Sign1. */
  'mso-mdoc': (fx, i) => {
    if (!verifyJws(fx.token, fx.authz.publicKey)) throw new Error('raw: token');
    mdoc(fx.issuer.privateKey, proofStep(fx, i));
  },
  /** token + proof only (what the ldp_vc bound adds to RDFC signing alone). */
  'token-proof': (fx, i) => {
    if (!verifyJws(fx.token, fx.authz.publicKey)) throw new Error('raw: token');
    proofStep(fx, i);
  },
};

/** CPU ms per credential of each kind (`count` credentials after a warm-up of 200). */
export function rawCosts(kinds, count = 3000) {
  const fx = fixtures();
  return kinds.map((kind) => {
    const step = STEPS[kind];
    if (!step) throw new Error(`raw: unknown kind ${kind}`);
    for (let i = 0; i < 200; i++) step(fx, i);
    const before = process.cpuUsage();
    for (let i = 0; i < count; i++) step(fx, i);
    const used = process.cpuUsage(before);
    return { label: kind, cpuMs: (used.user + used.system) / 1000 / count };
  });
}
