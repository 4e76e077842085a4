import { execFileSync } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vc from '@digitalbazaar/vc';
import { decodeJwt, exportJWK, generateKeyPair, importPKCS8, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSuite } from '../../../src/credentials/data-integrity/suites.js';
import { base58btcEncode } from '../../../src/credentials/did/base58.js';
import { didKeyFromJwk } from '../../../src/credentials/did/index.js';
import { createDocumentLoader } from '../../../src/credentials/jsonld/document-loader.js';
import { expectError, freshNonce, postCredential, preAuthorizedToken } from '../helpers/protocol-client.js';
import { type ProtocolIssuer, startProtocolIssuer } from '../helpers/protocol-issuer.js';
import { newHolder, proofJwt } from '../helpers/wallet.js';

let issuer: ProtocolIssuer;
let attester: { privateKey: CryptoKey; jwk: JWK };

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  attester = {
    privateKey: pair.privateKey as CryptoKey,
    jwk: { ...(await exportJWK(pair.publicKey)), kid: 'attester-1' },
  };
  issuer = await startProtocolIssuer({
    protocol: { trustedAttesters: [attester.jwk as Record<string, unknown>] },
  });
});
afterAll(async () => {
  await issuer?.stop();
});

async function request(proofs: Record<string, unknown>, token?: string) {
  return postCredential(
    issuer.url,
    { credential_identifier: 'national_id_sd_jwt', proofs },
    token ?? (await preAuthorizedToken(issuer.url)),
  );
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An ES256K JWS made with node:crypto (jose has no secp256k1). */
function es256k(header: Record<string, unknown>, payload: Record<string, unknown>, key: KeyObject): string {
  const input = `${b64({ alg: 'ES256K', ...header })}.${b64(payload)}`;
  const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

function cnfOf(result: Awaited<ReturnType<typeof request>>, index = 0): JWK {
  const credentials = (result.body?.credentials ?? []) as { credential: string }[];
  return (decodeJwt(credentials[index]?.credential ?? '').cnf as { jwk: JWK }).jwk;
}

describe('jwt proofs with other key references (Appendix F.1)', () => {
  it('binds to the leaf key of an x5c chain', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attesta-x5c-'));
    try {
      execFileSync('openssl', [
        'ecparam',
        '-name',
        'prime256v1',
        '-genkey',
        '-noout',
        '-out',
        join(dir, 'k.pem'),
      ]);
      execFileSync('openssl', [
        'pkcs8',
        '-topk8',
        '-nocrypt',
        '-in',
        join(dir, 'k.pem'),
        '-out',
        join(dir, 'p8.pem'),
      ]);
      execFileSync('openssl', [
        'req',
        '-new',
        '-x509',
        '-key',
        join(dir, 'p8.pem'),
        '-subj',
        '/CN=wallet/C=XA',
        '-days',
        '2',
        '-out',
        join(dir, 'c.pem'),
      ]);
      const pem = readFileSync(join(dir, 'c.pem'), 'utf8');
      const der = pem.replace(/-----[^-]+-----|\s/g, '');
      const key = await importPKCS8(readFileSync(join(dir, 'p8.pem'), 'utf8'), 'ES256');
      const holder = { alg: 'ES256' as const, privateKey: key, publicJwk: {}, privateJwk: {} };
      const proof = await proofJwt(holder, {
        audience: issuer.url,
        nonce: await freshNonce(issuer.url),
        header: { jwk: undefined, x5c: [der] },
      });
      const result = await request({ jwt: [proof] });
      expect(result.status).toBe(200);
      const expected = createPrivateKey(readFileSync(join(dir, 'p8.pem'), 'utf8')).export({ format: 'jwk' });
      expect(cnfOf(result)).toEqual({ kty: 'EC', crv: 'P-256', x: expected.x, y: expected.y });

      // A certificate that is not the signer's key, or garbage, is invalid_proof.
      const other = await newHolder();
      const forged = await proofJwt(other, {
        audience: issuer.url,
        nonce: await freshNonce(issuer.url),
        header: { jwk: undefined, x5c: [der] },
      });
      expectError(await request({ jwt: [forged] }), 400, 'invalid_proof');
      const junk = await proofJwt(other, {
        audience: issuer.url,
        nonce: await freshNonce(issuer.url),
        header: { jwk: undefined, x5c: ['bm90IGEgY2VydA=='] },
      });
      expectError(await request({ jwt: [junk] }), 400, 'invalid_proof');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accepts secp256k1 (ES256K) with a jwk and with a did:key kid', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    const jwk = publicKey.export({ format: 'jwk' }) as JWK;
    const payload = async () => ({
      aud: issuer.url,
      iat: Math.floor(Date.now() / 1000),
      nonce: await freshNonce(issuer.url),
    });
    const withJwk = es256k({ typ: 'openid4vci-proof+jwt', jwk }, await payload(), privateKey);
    const first = await request({ jwt: [withJwk] });
    expect(first.status).toBe(200);
    expect(cnfOf(first)).toEqual({ kty: 'EC', crv: 'secp256k1', x: jwk.x, y: jwk.y });

    // did:key for secp256k1: multicodec 0xe7 0x01 + compressed point.
    const y = Buffer.from(jwk.y as string, 'base64url');
    const compressed = Buffer.concat([
      Buffer.from([(y[31] as number) & 1 ? 3 : 2]),
      Buffer.from(jwk.x as string, 'base64url'),
    ]);
    const id = `z${base58btcEncode(Buffer.concat([Buffer.from([0xe7, 0x01]), compressed]))}`;
    const withDid = es256k(
      { typ: 'openid4vci-proof+jwt', kid: `did:key:${id}#${id}` },
      await payload(),
      privateKey,
    );
    const second = await request({ jwt: [withDid] });
    expect(second.status).toBe(200);
    expect(cnfOf(second)).toEqual({ kty: 'EC', crv: 'secp256k1', x: jwk.x, y: jwk.y });

    // Tampered signature.
    const tampered = `${withJwk.slice(0, -4)}AAAA`;
    expectError(await request({ jwt: [tampered] }), 400, 'invalid_proof');
  });
});

async function keyAttestation(
  keys: JWK[],
  claims: Record<string, unknown> = {},
  signer = attester.privateKey,
  kid = 'attester-1',
) {
  return new SignJWT({
    iat: Math.floor(Date.now() / 1000),
    attested_keys: keys,
    key_storage: ['iso_18045_moderate'],
    ...claims,
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'key-attestation+jwt', kid })
    .sign(signer);
}

describe('key attestations (Appendix D) from trusted attesters', () => {
  it('advertises the attestation proof type', async () => {
    const metadata = (await (await fetch(`${issuer.url}/.well-known/openid-credential-issuer`)).json()) as {
      credential_configurations_supported: Record<string, { proof_types_supported: Record<string, unknown> }>;
    };
    expect(
      Object.keys(
        metadata.credential_configurations_supported.national_id_sd_jwt?.proof_types_supported ?? {},
      ),
    ).toEqual(['jwt', 'di_vp', 'attestation']);
  });

  it('issues one credential per attested key with an attestation proof', async () => {
    const holders = [await newHolder(), await newHolder('EdDSA')];
    const attestation = await keyAttestation(
      holders.map((h) => h.publicJwk),
      { nonce: await freshNonce(issuer.url) },
    );
    const result = await request({ attestation: [attestation] });
    expect(result.status).toBe(200);
    expect(cnfOf(result, 0)).toEqual(holders[0]?.publicJwk);
    expect(cnfOf(result, 1)).toEqual(holders[1]?.publicJwk);
  });

  it('refuses an attestation by an untrusted attester, without nonce, expired, or with a reused nonce', async () => {
    const holder = await newHolder();
    const stranger = await generateKeyPair('ES256');
    const untrusted = await keyAttestation(
      [holder.publicJwk],
      { nonce: await freshNonce(issuer.url) },
      stranger.privateKey as CryptoKey,
    );
    expectError(await request({ attestation: [untrusted] }), 400, 'invalid_proof');
    expectError(
      await request({ attestation: [await keyAttestation([holder.publicJwk])] }),
      400,
      'invalid_proof',
    );
    const expired = await keyAttestation([holder.publicJwk], {
      nonce: await freshNonce(issuer.url),
      exp: Math.floor(Date.now() / 1000) - 10,
    });
    expectError(await request({ attestation: [expired] }), 400, 'invalid_proof');
    const nonce = await freshNonce(issuer.url);
    expect(
      (await request({ attestation: [await keyAttestation([holder.publicJwk], { nonce })] })).status,
    ).toBe(200);
    expectError(
      await request({ attestation: [await keyAttestation([holder.publicJwk], { nonce })] }),
      400,
      'invalid_nonce',
    );
  });

  it('checks a key_attestation in a jwt proof header against the proof key', async () => {
    const holder = await newHolder();
    const good = await proofJwt(holder, {
      audience: issuer.url,
      nonce: await freshNonce(issuer.url),
      header: { key_attestation: await keyAttestation([holder.publicJwk]) },
    });
    expect((await request({ jwt: [good] })).status).toBe(200);
    const other = await newHolder();
    const mismatch = await proofJwt(holder, {
      audience: issuer.url,
      nonce: await freshNonce(issuer.url),
      header: { key_attestation: await keyAttestation([other.publicJwk]) },
    });
    expectError(await request({ jwt: [mismatch] }), 400, 'invalid_proof');
  });

  it('refuses mixing proof types, and a di_vp that is not a signed presentation', async () => {
    const holder = await newHolder();
    const jwt = await proofJwt(holder, { audience: issuer.url, nonce: await freshNonce(issuer.url) });
    expectError(await request({ jwt: [jwt], attestation: [jwt] }), 400, 'invalid_credential_request');
    expectError(await request({ di_vp: [{}] }), 400, 'invalid_proof');
  });
});

describe('batch issuance (§8.2 proofs, batch_size 10)', () => {
  it('binds each credential to its own key and refuses a repeated key or more than batch_size proofs', async () => {
    const holders = await Promise.all([newHolder(), newHolder('EdDSA'), newHolder()]);
    const proofs = [];
    for (const h of holders)
      proofs.push(await proofJwt(h, { audience: issuer.url, nonce: await freshNonce(issuer.url) }));
    const result = await request({ jwt: proofs });
    expect(result.status).toBe(200);
    expect(holders.map((_, i) => cnfOf(result, i))).toEqual(holders.map((h) => h.publicJwk));
    const twice = await proofJwt(holders[0] as never, {
      audience: issuer.url,
      nonce: await freshNonce(issuer.url),
    });
    const again = await proofJwt(holders[0] as never, {
      audience: issuer.url,
      nonce: await freshNonce(issuer.url),
    });
    expectError(await request({ jwt: [twice, again] }), 400, 'invalid_proof');
    const eleven = Array.from({ length: 11 }, () => twice);
    expectError(await request({ jwt: eleven }), 400, 'invalid_credential_request');
  });
});

/** A di_vp key proof made with @digitalbazaar/vc on the wallet side (Appendix F.2). */
async function diVp(options: {
  challenge: string;
  domain?: string;
  suite?: 'eddsa-rdfc-2022' | 'eddsa-jcs-2022';
}) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' }) as JWK;
  const did = didKeyFromJwk(jwk);
  const vm = `${did}#${did.slice('did:key:'.length)}`;
  const suite = createSuite(options.suite ?? 'eddsa-rdfc-2022', {
    signer: { id: vm, algorithm: 'Ed25519', sign: async ({ data }) => sign(null, data, privateKey) },
  });
  const presentation = await vc.signPresentation({
    presentation: {
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      type: ['VerifiablePresentation'],
      holder: did,
    },
    suite,
    documentLoader: createDocumentLoader(),
    challenge: options.challenge,
    domain: options.domain ?? issuer.url,
  });
  return { presentation, jwk: { kty: 'OKP', crv: 'Ed25519', x: jwk.x } };
}

describe('di_vp proofs (Appendix F.2)', () => {
  it('binds each credential to the key of its presentation (eddsa-rdfc-2022 and eddsa-jcs-2022)', async () => {
    const first = await diVp({ challenge: await freshNonce(issuer.url) });
    const second = await diVp({ challenge: await freshNonce(issuer.url), suite: 'eddsa-jcs-2022' });
    const result = await request({ di_vp: [first.presentation, second.presentation] });
    expect(result.status).toBe(200);
    expect(cnfOf(result, 0)).toEqual(first.jwk);
    expect(cnfOf(result, 1)).toEqual(second.jwk);
  }, 20_000);

  it('refuses a wrong domain, a tampered presentation and an unknown challenge', async () => {
    const wrongDomain = await diVp({
      challenge: await freshNonce(issuer.url),
      domain: 'https://other.example',
    });
    expectError(await request({ di_vp: [wrongDomain.presentation] }), 400, 'invalid_proof');
    const tampered = await diVp({ challenge: await freshNonce(issuer.url) });
    expectError(
      await request({ di_vp: [{ ...tampered.presentation, holder: 'did:example:someone-else' }] }),
      400,
      'invalid_proof',
    );
    const unknown = await diVp({ challenge: 'not-a-nonce-we-issued' });
    expectError(await request({ di_vp: [unknown.presentation] }), 400, 'invalid_nonce');
  }, 20_000);
});
