import { digest } from '@sd-jwt/crypto-nodejs';
import { decodeSdJwt } from '@sd-jwt/decode';
import type { JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { issuerCommand } from '../../src/cli/issuer-admin.js';
import { offerCommand } from '../../src/cli/offers.js';
import { verifySdJwtVc } from '../../src/credentials/formats/sd-jwt-vc/index.js';
import type { OfferView } from '../../src/issuer/offers/create.js';
import { issuerBehindForeignAsForFile } from './helpers/issue-credential.js';
import {
  expectError,
  http,
  postCredential,
  preAuthorizedCode,
  proofsFor,
  redeem,
} from './helpers/protocol-client.js';
import { newHolder } from './helpers/wallet.js';

/**
 * Offers on the real issuer service (real pipeline, registry, SD-JWT signer, status lists): made
 * with the CLI and with the admin API behind its real authentication, redeemed by a wallet.
 */
const server = issuerBehindForeignAsForFile();
const lines: string[] = [];
const out = (line: string) => lines.push(line);

async function issuerJwks(): Promise<{ keys: JWK[] }> {
  return ((await http(`${server.issuer.url}/.well-known/jwt-vc-issuer`)).body as { jwks: { keys: JWK[] } })
    .jwks;
}

describe('offers on the real issuer', () => {
  it('attesta offer create (CLI) → tx_code → a batch of SD-JWT VCs about the registry subject, each with its own salts and status index', async () => {
    lines.length = 0;
    const code = await offerCommand(
      [
        'create',
        '--configuration',
        'national_id_sd_jwt',
        '--subject',
        '5102030400',
        '--tx-code',
        '6',
        '--qr',
        '--config',
        server.configFile,
      ],
      out,
    );
    expect(code).toBe(0);
    const view = JSON.parse(lines[0] as string) as OfferView;
    expect(lines[1]).toBe(`transaction code (give it to the holder separately): ${view.tx_code}`);
    expect(lines[2]).toContain('▄'); // the terminal QR code

    const fetched = await http(view.credential_offer_uri);
    expect(fetched.body).toEqual(view.credential_offer);
    const token = await redeem(
      server.issuer.url,
      preAuthorizedCode({ ...fetched, body: { credential_offer: fetched.body } }),
      view.tx_code,
    );
    expect(token.status).toBe(200);
    const holders = [await newHolder(), await newHolder(), await newHolder('EdDSA')];
    const result = await postCredential(
      server.issuer.url,
      {
        credential_identifier: 'national_id_sd_jwt',
        proofs: { jwt: await proofsFor(server.issuer.url, holders) },
      },
      token.body?.access_token as string,
    );
    expect(result.status).toBe(200);
    const credentials = ((result.body?.credentials ?? []) as { credential: string }[]).map(
      (c) => c.credential,
    );
    expect(credentials).toHaveLength(3);
    const jwks = await issuerJwks();
    const salts = new Set<string>();
    const indices = new Set<number>();
    for (const [i, credential] of credentials.entries()) {
      const { claims, payload } = await verifySdJwtVc(credential, { issuerJwks: jwks });
      expect(claims.given_name).toBe('Amara');
      expect((payload.cnf as { jwk: JWK }).jwk).toEqual(holders[i]?.publicJwk);
      const decoded = await decodeSdJwt(credential, digest);
      for (const d of decoded.disclosures) salts.add(d.salt);
      // Unlinkability (RFC 9901 §10.1): times on the hour, so copies and issuances in one hour match.
      expect((payload.iat as number) % 3600).toBe(0);
      expect((payload.exp as number) % 3600).toBe(0);
      const status = (payload.status as { status_list?: { idx: number } } | undefined)?.status_list;
      if (status) indices.add(status.idx);
    }
    // Every disclosure of every copy has its own salt; status indices are distinct per copy.
    const disclosureCount = (await Promise.all(credentials.map((c) => decodeSdJwt(c, digest)))).reduce(
      (n, d) => n + d.disclosures.length,
      0,
    );
    expect(salts.size).toBe(disclosureCount);
    expect(indices.size).toBe(3);
    const sorted = [...indices].sort((a, b) => a - b);
    // Not consecutive in issuance order: a verifier cannot link the copies by their index.
    expect((sorted[2] as number) - (sorted[0] as number)).not.toBe(2);
  });

  it('refuses through the CLI claims the configuration does not declare', async () => {
    lines.length = 0;
    const code = await offerCommand(
      [
        'create',
        '--configuration',
        'national_id_sd_jwt',
        '--claims',
        '{"given_name":"A","shoe_size":44}',
        '--config',
        server.configFile,
      ],
      out,
    );
    expect(code).toBe(1);
    expect(lines.at(-1)).toBe('error: claim shoe_size is not part of national_id_sd_jwt');
  });

  it('POST /admin/offers needs the admin (API key) and issues offered claims by value', async () => {
    const anonymous = await http(`${server.issuer.url}/admin/offers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(anonymous.status).toBe(401);
    lines.length = 0;
    expect(await issuerCommand(['api-key', 'create', 'offers', '--config', server.configFile], out)).toBe(0);
    const key = lines.at(-1) as string;
    const created = await http(`${server.issuer.url}/admin/offers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ credential_configuration_ids: ['national_id_sd_jwt'], subject: '5102030400' }),
    });
    expect(created.status).toBe(201);
    const view = created.body as unknown as OfferView;
    const byValue = JSON.parse(
      new URL(view.credential_offer_uri_by_value).searchParams.get('credential_offer') as string,
    );
    const token = await redeem(
      server.issuer.url,
      preAuthorizedCode({ ...created, body: { credential_offer: byValue } }),
    );
    const result = await postCredential(
      server.issuer.url,
      {
        credential_configuration_id: 'national_id_sd_jwt',
        proofs: { jwt: await proofsFor(server.issuer.url, [await newHolder()]) },
      },
      token.body?.access_token as string,
    );
    expect(result.status).toBe(200);
    // Redeemed: the code is spent.
    expectError(
      await redeem(server.issuer.url, preAuthorizedCode({ ...created, body: { credential_offer: byValue } })),
      400,
      'invalid_grant',
    );
  });
});
