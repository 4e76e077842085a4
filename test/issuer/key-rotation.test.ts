import { digest, ES256 } from '@sd-jwt/crypto-nodejs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { keysCommand } from '../../src/cli/keys.js';
import { createIssuerService } from '../../src/issuer/service.js';
import { openDatabase } from '../../src/platform/db/index.js';
import { type KeyTables, loadMasterKey } from '../../src/platform/keys/index.js';
import { demoIdentities, SqlIdentityRegistry } from '../../src/platform/registry/index.js';
import { issueOne, issuerBehindForeignAsForFile } from './helpers/issue-credential.js';
import { freePort } from './helpers/issuer.js';

const server = issuerBehindForeignAsForFile();

/** A wallet's credential request to the instance at `base` (the issuer identifier stays the same). */
async function issue(base?: string): Promise<string> {
  const claims = { sub: '5102030400', scope: 'national_id' };
  return (await issueOne(server, 'national_id_sd_jwt', { claims, instanceUrl: base })) as string;
}

/** SD-JWT VC issuer metadata (draft-ietf-oauth-sd-jwt-vc §5) as a verifier fetches it. */
async function issuerMetadataJwks(): Promise<JSONWebKeySet> {
  const metadata = (await (await fetch(`${server.issuer.url}/.well-known/jwt-vc-issuer`)).json()) as {
    jwks: JSONWebKeySet;
  };
  return metadata.jwks;
}

/**
 * A verifier (@sd-jwt/sd-jwt-vc) holding `jwks`: each JWS it checks (the credential and the status
 * list it fetches) is verified with the key its header's `kid` names, from that set only.
 */
async function verifyWith(jwks: JSONWebKeySet, credential: string) {
  const library = new SDJwtVcInstance({
    hasher: digest,
    verifier: async (data, signature) => {
      const { kid } = decodeProtectedHeader(`${data}.${signature}`);
      const key = jwks.keys.find((k) => k.kid === kid);
      if (!key) throw new Error(`kid ${kid} is not in the verifier's JWKS`);
      return (await ES256.getVerifier(key as JsonWebKey))(data, signature);
    },
  });
  return library.verify(credential);
}

async function keysCli(...args: string[]) {
  const lines: string[] = [];
  const code = await keysCommand([...args, '--config', server.configFile], (line) => lines.push(line));
  return { code, text: lines.join('\n') };
}

describe('rotation of the SD-JWT VC key seen by wallets and verifiers (attesta keys rotate issuer)', () => {
  it('what was signed before a rotation verifies after it; a verifier that cached the JWKS in the lead time verifies the new key', async () => {
    const before = await issue();
    const oldKid = decodeProtectedHeader(before.split('~')[0] as string).kid;
    // The status list it points to, as a verifier fetched it before the rotation.
    const { status } = decodeJwt(before.split('~')[0] as string) as {
      status: { status_list: { uri: string } };
      exp: number;
    };
    const listBefore = await (
      await fetch(status.status_list.uri, { headers: { accept: 'application/statuslist+jwt' } })
    ).text();
    expect(decodeProtectedHeader(listBefore).kid).toBe(oldKid);

    // What keeps the old key published: the issuer recorded how long what it signed is valid.
    const database = openDatabase<KeyTables>(server.issuer.config.issuer.database);
    try {
      const row = await database.db
        .selectFrom('signing_keys')
        .select('signed_until')
        .where('kid', '=', oldKid as string)
        .executeTakeFirstOrThrow();
      const { exp } = decodeJwt(before.split('~')[0] as string);
      expect(Number(row.signed_until)).toBeGreaterThanOrEqual((exp as number) * 1000);
    } finally {
      await database.close();
    }

    const rotated = await keysCli('rotate', 'issuer', '--purpose', 'issuer-sd-jwt', '--lead', '3');
    expect(rotated.code, rotated.text).toBe(0);
    // During the lead time: both keys published (issuer metadata and did:web), the old one signs.
    const cachedInLead = await issuerMetadataJwks();
    expect(cachedInLead.keys).toHaveLength(2);
    const newKid = cachedInLead.keys.map((k) => k.kid).find((kid) => kid !== oldKid) as string;
    const did = (await (await fetch(`${server.issuer.url}/.well-known/did.json`)).json()) as {
      verificationMethod: { id: string }[];
    };
    expect(did.verificationMethod.map((m) => m.id.split('#')[1])).toEqual(
      expect.arrayContaining([oldKid, newKid]),
    );
    expect(decodeProtectedHeader((await issue()).split('~')[0] as string).kid).toBe(oldKid);

    // After the lead time an instance that starts now (a restart, or a new replica) signs with the new key.
    await new Promise((resolve) => setTimeout(resolve, 3100));
    const port = await freePort();
    const registry = await SqlIdentityRegistry.open(server.issuer.config.registry.database);
    await registry.seed(demoIdentities());
    const replica = await createIssuerService({
      config: { ...server.issuer.config, issuer: { ...server.issuer.config.issuer, port } },
      masterKey: loadMasterKey(server.issuer.config.keys.masterKeyFile),
      registry,
    });
    try {
      await replica.app.listen({ host: '127.0.0.1', port });
      const after = await issue(`http://127.0.0.1:${port}`);
      expect(decodeProtectedHeader(after.split('~')[0] as string).kid).toBe(newKid);
      // The verifier that cached the JWKS during the lead time verifies it without refetching…
      await expect(verifyWith(cachedInLead, after)).resolves.toBeTruthy();
      // …and one that fetches now verifies both the new and the pre-rotation credential.
      const now = await issuerMetadataJwks();
      expect(now.keys.map((k) => k.kid).sort()).toEqual([oldKid, newKid].sort());
      const { payload } = await verifyWith(now, before);
      expect(payload.iss).toBe(server.issuer.url);
      // The status list token fetched before the rotation still verifies with today's JWKS.
      await expect(jwtVerify(listBefore, createLocalJWKSet(now))).resolves.toBeTruthy();
    } finally {
      await replica.close();
      await registry.close();
    }
    const listed = await keysCli('list', 'issuer', '--purpose', 'issuer-sd-jwt');
    expect(listed.text).toMatch(new RegExp(`${oldKid}\\s+issuer-sd-jwt\\s+retired`));
    expect(listed.text).toMatch(new RegExp(`${newKid}\\s+issuer-sd-jwt\\s+signing`));
  });
});

describe('attesta keys rotate issuer --configuration', () => {
  it('rotates the key a credential configuration signs with, naming the configurations that share it', async () => {
    const rotated = await keysCli(
      'rotate',
      'issuer',
      '--configuration',
      'national_id_jwt_vc',
      '--lead',
      '3600',
    );
    expect(rotated.code, rotated.text).toBe(0);
    // Both demo jwt_vc_json configurations sign ES256 with the issuer's did:web W3C key.
    expect(rotated.text).toMatch(
      /^national_id_jwt_vc signs with issuer-w3c-es256, shared with .*insurance_policy_jwt_vc/,
    );
    expect(rotated.text).toMatch(/issuer-w3c-es256: new key \S+, published now, signs from /);
    const listed = await keysCli('list', 'issuer', '--purpose', 'issuer-w3c-es256');
    expect(listed.text.split('\n').filter((line) => /\bpending\b/.test(line))).toHaveLength(1);
    // Nothing else was rotated: the EdDSA key of the ldp_vc configuration has no pending key.
    const eddsa = await keysCli('list', 'issuer', '--purpose', 'issuer-w3c-eddsa');
    expect(eddsa.text).not.toMatch(/\bpending\b/);
  });

  it('refuses an unknown configuration, and --configuration beside --purpose or for another service', async () => {
    const unknown = await keysCli('rotate', 'issuer', '--configuration', 'no_such_credential');
    expect(unknown.code).toBe(2);
    expect(unknown.text).toMatch(/no credential configuration no_such_credential/);
    expect(
      (
        await keysCli(
          'rotate',
          'issuer',
          '--configuration',
          'national_id_jwt_vc',
          '--purpose',
          'issuer-sd-jwt',
        )
      ).code,
    ).toBe(2);
    expect((await keysCli('rotate', 'authz', '--configuration', 'national_id_jwt_vc')).code).toBe(2);
  });
});
