import { generateKeyPairSync, sign } from 'node:crypto';
import * as vc from '@digitalbazaar/vc';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSuite } from '../../../src/credentials/data-integrity/suites.js';
import { didKeyFromJwk } from '../../../src/credentials/did/index.js';
import { createDocumentLoader } from '../../../src/credentials/jsonld/document-loader.js';
import { decodeQr } from '../../helpers/qr.js';
import { testConfig } from '../../helpers/system.js';
import { type ForeignAs, startForeignAs } from '../helpers/foreign-as.js';
import {
  createOffer,
  type DpopKey,
  dpopProof,
  expectError,
  freshNonce,
  http,
  newDpopKey,
  postCredential,
  preAuthorizedCode,
  redeem,
} from '../helpers/protocol-client.js';
import { type ProtocolIssuer, startProtocolIssuer } from '../helpers/protocol-issuer.js';
import { newHolder, proofJwt } from '../helpers/wallet.js';

/**
 * The HAIP profile checks of the issuer (OpenID4VC High Assurance Interoperability Profile 1.0 §4:
 * sender-constrained tokens with DPoP, RFC 9449; ES256 key proofs and DPoP proofs), each run against
 * an issuer with `haip: true` and one with the switch off, so each refusal is shown to come from the
 * switch. Expected values are the specs' own.
 */
const modes = { on: undefined as unknown as ProtocolIssuer, off: undefined as unknown as ProtocolIssuer };
let as: ForeignAs;
let dpopKey: DpopKey;
/** Wallet providers trusted by both issuers for key attestations (Appendix D), one per algorithm. */
const attesters: Record<'ES256' | 'EdDSA', { privateKey: CryptoKey; jwk: JWK }> = {} as never;

beforeAll(async () => {
  const [on, off] = [
    await testConfig({ services: ['issuer'], overrides: { haip: true } }),
    await testConfig({ services: ['issuer'] }),
  ];
  for (const alg of ['ES256', 'EdDSA'] as const) {
    const pair = await generateKeyPair(alg, { extractable: true });
    attesters[alg] = {
      privateKey: pair.privateKey,
      jwk: { ...(await exportJWK(pair.publicKey)), kid: `attester-${alg}` },
    };
  }
  const protocol = {
    trustedAttesters: Object.values(attesters).map((a) => a.jwk as Record<string, unknown>),
  };
  as = await startForeignAs({ audience: on.config.issuer.publicUrl });
  modes.on = await startProtocolIssuer({ prepared: on, authorizationServers: [as.url], protocol });
  // The foreign AS mints for one audience: the HAIP issuer's. The other issuer's Bearer case uses its own tokens.
  modes.off = await startProtocolIssuer({ prepared: off, protocol });
  dpopKey = await newDpopKey();
}, 30_000);
afterAll(async () => {
  await modes.on?.stop();
  await modes.off?.stop();
  await as?.stop();
});

async function offerCode(issuer: ProtocolIssuer): Promise<string> {
  return preAuthorizedCode(
    await createOffer(issuer.url, {
      credential_configuration_ids: ['national_id_sd_jwt'],
      claims: { given_name: 'Amara', nationalities: ['TG'] },
    }),
  );
}

/** A DPoP-bound access token from the issuer's pre-authorized grant, the DPoP proof signed with ES256. */
async function boundToken(issuer: ProtocolIssuer): Promise<string> {
  const token = await redeem(issuer.url, await offerCode(issuer), undefined, {
    dpop: await dpopProof(dpopKey, 'POST', `${issuer.url}/token`),
  });
  expect(token.status).toBe(200);
  expect(token.body?.token_type).toBe('DPoP');
  return token.body?.access_token as string;
}

/** A credential request with a DPoP-bound token; `proof` and `dpop` default to ES256. */
async function dpopRequest(
  issuer: ProtocolIssuer,
  options: { proofs?: Record<string, unknown[]>; dpopSignedWith?: 'EdDSA' } = {},
) {
  const token = await boundToken(issuer);
  const url = `${issuer.url}/credential`;
  let dpop: string;
  if (options.dpopSignedWith === 'EdDSA') {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA');
    const jwk = await exportJWK(publicKey);
    // A fresh Ed25519 key cannot match the token's ES256 binding, so the request is sent with a token
    // bound to this key instead: the alg alone decides.
    const edKey: DpopKey = { privateKey, publicJwk: jwk, jkt: '' };
    const edToken = await redeem(issuer.url, await offerCode(issuer), undefined, {
      dpop: await dpopProof(edKey, 'POST', `${issuer.url}/token`, { header: { alg: 'EdDSA' } }),
    });
    if (edToken.status !== 200) return edToken;
    const bound = edToken.body?.access_token as string;
    dpop = await dpopProof(edKey, 'POST', url, { accessToken: bound, header: { alg: 'EdDSA' } });
    return postCredential(issuer.url, await body(issuer, options.proofs), bound, {
      scheme: 'DPoP',
      headers: { dpop },
    });
  }
  dpop = await dpopProof(dpopKey, 'POST', url, { accessToken: token });
  return postCredential(issuer.url, await body(issuer, options.proofs), token, {
    scheme: 'DPoP',
    headers: { dpop },
  });
}

async function body(issuer: ProtocolIssuer, proofs?: Record<string, unknown[]>) {
  const holder = await newHolder();
  return {
    credential_identifier: 'national_id_sd_jwt',
    proofs: proofs ?? {
      jwt: [await proofJwt(holder, { audience: issuer.url, nonce: await freshNonce(issuer.url) })],
    },
  };
}

/** A key proof signed with an algorithm HAIP does not allow (jose signs; the header says the alg). */
async function proofSignedWith(issuer: ProtocolIssuer, alg: 'EdDSA' | 'ES384'): Promise<string> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return new SignJWT({
    aud: issuer.url,
    iat: Math.floor(Date.now() / 1000),
    nonce: await freshNonce(issuer.url),
  })
    .setProtectedHeader({ alg, typ: 'openid4vci-proof+jwt', jwk: await exportJWK(publicKey) })
    .sign(privateKey);
}

/** An `attestation` proof (Appendix F.3): a key attestation carrying the c_nonce, signed by a trusted attester. */
async function attestationProof(
  issuer: ProtocolIssuer,
  alg: 'ES256' | 'EdDSA',
  holder?: Awaited<ReturnType<typeof newHolder>>,
): Promise<string> {
  holder ??= await newHolder();
  return new SignJWT({
    iat: Math.floor(Date.now() / 1000),
    attested_keys: [holder.publicJwk],
    key_storage: ['iso_18045_moderate'],
    nonce: await freshNonce(issuer.url),
  })
    .setProtectedHeader({ alg, typ: 'key-attestation+jwt', kid: `attester-${alg}` })
    .sign(attesters[alg].privateKey);
}

/** A di_vp key proof (Appendix F.2, eddsa-rdfc-2022) made with @digitalbazaar/vc. */
async function diVpProof(issuer: ProtocolIssuer): Promise<unknown> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const did = didKeyFromJwk(publicKey.export({ format: 'jwk' }) as JWK);
  const vm = `${did}#${did.slice('did:key:'.length)}`;
  const suite = createSuite('eddsa-rdfc-2022', {
    signer: { id: vm, algorithm: 'Ed25519', sign: async ({ data }) => sign(null, data, privateKey) },
  });
  return vc.signPresentation({
    presentation: {
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      type: ['VerifiablePresentation'],
      holder: did,
    },
    suite,
    documentLoader: createDocumentLoader(),
    challenge: await freshNonce(issuer.url),
    domain: issuer.url,
  });
}

interface ConfigurationMetadata {
  proof_types_supported: Record<string, { proof_signing_alg_values_supported: string[] }>;
}

async function nationalIdMetadata(issuer: ProtocolIssuer): Promise<ConfigurationMetadata> {
  const metadata = await http(`${issuer.url}/.well-known/openid-credential-issuer`);
  const all = metadata.body?.credential_configurations_supported as Record<string, ConfigurationMetadata>;
  return all.national_id_sd_jwt as ConfigurationMetadata;
}

describe('HAIP mode (haip: true) at the issuer', () => {
  it('happy path first: a DPoP-bound token, ES256 DPoP proof and ES256 key proof get a credential', async () => {
    expect((await dpopRequest(modes.on)).status).toBe(200);
  });

  it('a Bearer access token is refused: 401 invalid_token with a DPoP challenge (HAIP §4, RFC 9449 §7.1)', async () => {
    const holder = await newHolder();
    const result = await postCredential(
      modes.on.url,
      {
        credential_configuration_id: 'national_id_sd_jwt',
        proofs: {
          jwt: [await proofJwt(holder, { audience: modes.on.url, nonce: await freshNonce(modes.on.url) })],
        },
      },
      await as.mint(),
    );
    expectError(result, 401, 'invalid_token');
    expect(result.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_token"/);
    expect(result.headers.get('www-authenticate')).toContain('algs="ES256"');
    // Without credentials, only the DPoP scheme is offered.
    const anonymous = await postCredential(modes.on.url, { credential_configuration_id: 'x' }, undefined);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('DPoP algs="ES256"');
  });

  it('the pre-authorized token endpoint refuses a request without a DPoP proof: 400 invalid_dpop_proof', async () => {
    expectError(await redeem(modes.on.url, await offerCode(modes.on)), 400, 'invalid_dpop_proof');
  });

  it('an EdDSA DPoP proof is refused: invalid_dpop_proof at the token endpoint', async () => {
    expectError(await dpopRequest(modes.on, { dpopSignedWith: 'EdDSA' }), 400, 'invalid_dpop_proof');
  });

  it('EdDSA and ES384 key proofs are refused: 400 invalid_proof', async () => {
    for (const alg of ['EdDSA', 'ES384'] as const) {
      const proof = await proofSignedWith(modes.on, alg);
      expectError(await dpopRequest(modes.on, { proofs: { jwt: [proof] } }), 400, 'invalid_proof');
    }
  });

  it('an attestation proof signed by a trusted attester with EdDSA is refused (invalid_proof); with ES256 accepted', async () => {
    const eddsa = await attestationProof(modes.on, 'EdDSA');
    expectError(await dpopRequest(modes.on, { proofs: { attestation: [eddsa] } }), 400, 'invalid_proof');
    const es256 = await attestationProof(modes.on, 'ES256');
    expect((await dpopRequest(modes.on, { proofs: { attestation: [es256] } })).status).toBe(200);
  });

  it('a jwt proof whose key_attestation header is EdDSA-signed is refused (invalid_proof)', async () => {
    const holder = await newHolder();
    const proof = await proofJwt(holder, {
      audience: modes.on.url,
      nonce: await freshNonce(modes.on.url),
      header: { key_attestation: await attestationProof(modes.on, 'EdDSA', holder) },
    });
    expectError(await dpopRequest(modes.on, { proofs: { jwt: [proof] } }), 400, 'invalid_proof');
  });

  it('a di_vp proof (Ed25519 suites) is refused: 400 invalid_proof', async () => {
    expectError(
      await dpopRequest(modes.on, { proofs: { di_vp: [await diVpProof(modes.on)] } }),
      400,
      'invalid_proof',
    );
  }, 20_000);

  it('advertises ES256 only, for key proofs and DPoP proofs, and no di_vp', async () => {
    const config = await nationalIdMetadata(modes.on);
    expect(config.proof_types_supported).toEqual({
      jwt: { proof_signing_alg_values_supported: ['ES256'] },
      attestation: { proof_signing_alg_values_supported: ['ES256'], key_attestations_required: {} },
    });
    const as = await http(`${modes.on.url}/.well-known/oauth-authorization-server`);
    expect(as.body?.dpop_signing_alg_values_supported).toEqual(['ES256']);
  });

  it('offers invoke the wallet by haip:// (HAIP draft -04 §4.2), by reference and by value', async () => {
    const offer = await createOffer(modes.on.url, {
      credential_configuration_ids: ['national_id_sd_jwt'],
      claims: { given_name: 'Amara', nationalities: ['TG'] },
    });
    const view = offer.body as {
      qr_png: string;
      offer_uri_by_reference: string;
      credential_offer_uri: string;
      credential_offer_uri_by_value: string;
    };
    expect(view.offer_uri_by_reference).toBe(
      `haip://?credential_offer_uri=${encodeURIComponent(view.credential_offer_uri)}`,
    );
    expect(view.credential_offer_uri_by_value.startsWith('haip://?credential_offer=')).toBe(true);
    // The QR code a wallet scans (jsqr decodes it) carries the haip:// URI too.
    const png = PNG.sync.read(Buffer.from(await (await fetch(view.qr_png)).arrayBuffer()));
    expect(decodeQr(new Uint8ClampedArray(png.data), png.width, png.height)?.data).toBe(
      view.offer_uri_by_reference,
    );
  });
});

describe('the same requests with the switch off (haip: false) are accepted as before', () => {
  it('offers invoke the wallet by openid-credential-offer:// (OpenID4VCI 1.0 §4.1.3)', async () => {
    const offer = await createOffer(modes.off.url, {
      credential_configuration_ids: ['national_id_sd_jwt'],
      claims: { given_name: 'Amara', nationalities: ['TG'] },
    });
    expect(
      String(offer.body?.offer_uri_by_reference).startsWith(
        'openid-credential-offer://?credential_offer_uri=',
      ),
    ).toBe(true);
  });

  it('a Bearer access token from the pre-authorized grant gets a credential', async () => {
    const token = await redeem(modes.off.url, await offerCode(modes.off));
    expect(token.status).toBe(200);
    expect(token.body?.token_type).toBe('Bearer');
    const result = await postCredential(
      modes.off.url,
      await body(modes.off),
      token.body?.access_token as string,
    );
    expect(result.status).toBe(200);
  });

  it('an EdDSA DPoP proof is accepted', async () => {
    expect((await dpopRequest(modes.off, { dpopSignedWith: 'EdDSA' })).status).toBe(200);
  });

  it('an EdDSA key proof is accepted; ES384 is refused in both modes (never advertised)', async () => {
    const eddsa = await proofSignedWith(modes.off, 'EdDSA');
    expect((await dpopRequest(modes.off, { proofs: { jwt: [eddsa] } })).status).toBe(200);
    const es384 = await proofSignedWith(modes.off, 'ES384');
    expectError(await dpopRequest(modes.off, { proofs: { jwt: [es384] } }), 400, 'invalid_proof');
  });

  it('an attestation proof and a key_attestation header signed with EdDSA are accepted', async () => {
    const eddsa = await attestationProof(modes.off, 'EdDSA');
    expect((await dpopRequest(modes.off, { proofs: { attestation: [eddsa] } })).status).toBe(200);
    const holder = await newHolder();
    const proof = await proofJwt(holder, {
      audience: modes.off.url,
      nonce: await freshNonce(modes.off.url),
      header: { key_attestation: await attestationProof(modes.off, 'EdDSA', holder) },
    });
    expect((await dpopRequest(modes.off, { proofs: { jwt: [proof] } })).status).toBe(200);
  });

  it('a di_vp proof is accepted', async () => {
    expect((await dpopRequest(modes.off, { proofs: { di_vp: [await diVpProof(modes.off)] } })).status).toBe(
      200,
    );
  }, 20_000);

  it('advertises EdDSA beside ES256 and the di_vp proof type', async () => {
    const config = await nationalIdMetadata(modes.off);
    expect(config.proof_types_supported.jwt?.proof_signing_alg_values_supported).toContain('EdDSA');
    expect(config.proof_types_supported.di_vp).toBeDefined();
    const as = await http(`${modes.off.url}/.well-known/oauth-authorization-server`);
    expect(as.body?.dpop_signing_alg_values_supported).toContain('EdDSA');
  });
});
