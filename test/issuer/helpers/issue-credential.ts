import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import type { IssuanceTables } from '../../../src/issuer/issuance/database.js';
import { type Database, openDatabase } from '../../../src/platform/db/index.js';
import { type ForeignAs, startForeignAs } from './foreign-as.js';
import { issuerConfig, startIssuer, type TestIssuer } from './issuer.js';
import { type HolderAlg, newHolder, proofJwt } from './wallet.js';

/** An issuer that trusts one third-party authorization server, with its database opened beside it. */
export interface IssuerBehindForeignAs {
  issuer: TestIssuer;
  as: ForeignAs;
  /** A connection of the test's own to the issuer's database (ledger rows, API keys). */
  database: Database<IssuanceTables>;
  /** The issuer's data directory (removed on stop). */
  dataDir: string;
  /** Its configuration as a file, for the CLI commands a test runs against it. */
  configFile: string;
  stop(): Promise<void>;
}

/** The AS starts first: its tokens name the issuer's URL (chosen before the issuer listens) as audience. */
async function startIssuerBehindForeignAs(): Promise<IssuerBehindForeignAs> {
  const prepared = await issuerConfig();
  const as = await startForeignAs({ audience: prepared.config.issuer.publicUrl });
  const issuer = await startIssuer([as.url], prepared);
  const database = openDatabase<IssuanceTables>(issuer.config.issuer.database);
  const configFile = join(prepared.dataDir, 'attesta.json');
  writeFileSync(configFile, JSON.stringify(issuer.config));
  return {
    issuer,
    as,
    database,
    dataDir: prepared.dataDir,
    configFile,
    async stop() {
      await database.close();
      await issuer.stop();
      await as.stop();
    },
  };
}

/**
 * One issuer behind a foreign AS for the calling test file: started in a `beforeAll`, stopped in an
 * `afterAll`. The object is filled in when the hook runs, so read it in hooks and tests only.
 */
export function issuerBehindForeignAsForFile(): IssuerBehindForeignAs {
  const server = {} as IssuerBehindForeignAs;
  beforeAll(async () => {
    Object.assign(server, await startIssuerBehindForeignAs());
  });
  afterAll(async () => {
    await server.stop?.();
  });
  return server;
}

export interface CredentialRequestOptions {
  /** Access-token claims merged over the foreign AS's defaults (sub 5102030400, scope national_id). */
  claims?: Record<string, unknown>;
  /** The algorithm of the fresh holder key the proof is signed with (default ES256). */
  holderAlg?: HolderAlg;
  /** Another instance of the same issuer to send the requests to; the proof's audience stays the issuer's identifier. */
  instanceUrl?: string;
}

/**
 * What a wallet does for one credential (OpenID4VCI 1.0 §7, §8): a fresh `c_nonce` from the nonce
 * endpoint, a new holder key, a key proof over that nonce, a POST to the credential endpoint.
 */
export async function requestCredential(
  { issuer, as }: { issuer: TestIssuer; as: ForeignAs },
  configurationId: string,
  options: CredentialRequestOptions = {},
) {
  const base = options.instanceUrl ?? issuer.url;
  const { c_nonce } = (await (await fetch(`${base}/nonce`, { method: 'POST' })).json()) as {
    c_nonce: string;
  };
  const holder = await newHolder(options.holderAlg ?? 'ES256');
  const token = await as.mint({ claims: options.claims });
  const response = await fetch(`${base}/credential`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      credential_configuration_id: configurationId,
      proofs: { jwt: [await proofJwt(holder, { audience: issuer.url, nonce: c_nonce })] },
    }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

/** The body of an immediate issuance (OpenID4VCI 1.0 §8.3): the credentials and a notification id. */
export interface Issued {
  credentials: { credential: unknown }[];
  notification_id: string;
}

/** A credential request that must be answered 200 (the body is the failure message otherwise). */
export async function issueCredential(
  server: { issuer: TestIssuer; as: ForeignAs },
  configurationId: string,
  options: CredentialRequestOptions = {},
): Promise<Issued> {
  const { status, body } = await requestCredential(server, configurationId, options);
  expect(status, JSON.stringify(body)).toBe(200);
  return body as unknown as Issued;
}

/** The one credential of a request that must succeed: a string, or an object for `ldp_vc`. */
export async function issueOne(
  server: { issuer: TestIssuer; as: ForeignAs },
  configurationId: string,
  options: CredentialRequestOptions = {},
): Promise<unknown> {
  return (await issueCredential(server, configurationId, options)).credentials[0]?.credential;
}
