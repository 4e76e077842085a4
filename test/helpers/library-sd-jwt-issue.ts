import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import type { DisclosureFrame } from '@sd-jwt/types';
import type { JWK } from 'jose';
import { assertPublicJwk } from '../../src/credentials/did/index.js';
import { RESERVED_CLAIMS } from '../../src/credentials/formats/sd-jwt-vc/claims.js';
import { saltGenerator, sdHash } from '../../src/credentials/formats/sd-jwt-vc/hash.js';
import { disclosureFrame, type IssueSdJwtVcOptions } from '../../src/credentials/formats/sd-jwt-vc/index.js';
import type { SigningKey } from '../../src/platform/keys/index.js';

const instances = new WeakMap<SigningKey, SDJwtVcInstance>();

function instanceFor(key: SigningKey): SDJwtVcInstance {
  let instance = instances.get(key);
  if (!instance) {
    const encoder = new TextEncoder();
    instance = new SDJwtVcInstance({
      signer: async (data: string) => Buffer.from(await key.sign(encoder.encode(data))).toString('base64url'),
      signAlg: key.alg,
      hasher: sdHash,
      hashAlg: 'sha-256',
      saltGenerator,
    });
    instances.set(key, instance);
  }
  return instance;
}

/**
 * SD-JWT VC issuance as src/credentials/formats/sd-jwt-vc/issue.ts did it up to 2026-12-07: the same
 * payload and disclosure frame handed to @sd-jwt/sd-jwt-vc 0.19's `issue`. The reference our own
 * assembly is compared with (test/credentials/formats/sd-jwt-vc/issue-vs-library.test.ts,
 * bench/sd-jwt-issue.ts).
 */
export async function libraryIssueSdJwtVc(options: IssueSdJwtVcOptions): Promise<string> {
  for (const name of Object.keys(options.claims)) {
    if (RESERVED_CLAIMS.has(name)) throw new Error(`issueSdJwtVc: claim name ${name} is reserved`);
  }
  const holder = assertPublicJwk(options.holderJwk);
  const cnfJwk: JWK = { kty: holder.kty, crv: holder.crv, x: holder.x, ...(holder.y ? { y: holder.y } : {}) };
  const payload = {
    iss: options.issuer,
    iat: options.iat,
    ...(options.exp !== undefined ? { exp: options.exp } : {}),
    vct: options.vct,
    ...(options.vctIntegrity ? { 'vct#integrity': options.vctIntegrity } : {}),
    cnf: { jwk: cnfJwk },
    ...(options.status ? { status: options.status } : {}),
    ...options.claims,
  };
  return instanceFor(options.issuerKey).issue(
    payload as Parameters<SDJwtVcInstance['issue']>[0],
    disclosureFrame(options.disclosable, options.claims, options.decoys) as DisclosureFrame<
      Record<string, unknown>
    >,
    {
      header: {
        typ: options.typ ?? 'dc+sd-jwt',
        kid: options.issuerKey.kid,
        ...(options.x5c?.length
          ? { x5c: options.x5c.map((der) => Buffer.from(der).toString('base64')) }
          : {}),
      },
    },
  );
}
