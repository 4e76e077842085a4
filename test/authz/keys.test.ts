import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLocalJWKSet, decodeProtectedHeader, type JWK, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSigningKeys } from '../../src/authz/keys/provider-keys.js';
import { retentionSeconds } from '../../src/authz/keys/rotation.js';
import { openAuthzDatabase } from '../../src/cli/authz-database.js';
import { clientsCommand } from '../../src/cli/clients.js';
import { keysCommand } from '../../src/cli/keys.js';
import { testConfig } from '../helpers/system.js';
import { AMARA, type AuthzUnderTest, authorize, startAuthz } from './helpers.js';
import { addTestClients, RP_REDIRECT, rpFor, serverMetadata } from './protocol-setup.js';

let authz: AuthzUnderTest;
let dataDir: string;
let configFile: string;
let admin: client.Configuration;

beforeAll(async () => {
  const test = await testConfig({ services: ['authz'] });
  dataDir = test.dataDir;
  test.config.authz.keyReloadSeconds = 1;
  const clients = await addTestClients(test.config);
  authz = await startAuthz(test.config);
  admin = rpFor(await serverMetadata(test.config), 'admin', clients.admin.key);
  // The offline commands read the same configuration from a file, as an operator would pass it.
  configFile = join(dataDir, 'attesta.json');
  writeFileSync(configFile, JSON.stringify(test.config));
});

afterAll(async () => {
  await authz?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const issuer = () => authz.config.authz.publicUrl;
const jwks = async (): Promise<{ keys: JWK[] }> => (await fetch(`${issuer()}/jwks`)).json();
const adminToken = async () =>
  (await client.clientCredentialsGrant(admin, { scope: 'authz:admin' })).access_token;

async function run(command: typeof keysCommand, args: string[]) {
  const lines: string[] = [];
  const code = await command([...args, '--config', configFile], (line) => lines.push(line));
  return { code, lines };
}

/** Polls until `check` passes (the instances reload keys every keyReloadSeconds). */
async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 8000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('signing key rotation (attesta keys rotate authz)', () => {
  it('publishes old and new keys, signs with the new one, and old tokens still verify', async () => {
    const before = await jwks();
    expect(before.keys).toHaveLength(1);
    const oldKid = before.keys[0]?.kid;
    const oldToken = await adminToken();
    expect(decodeProtectedHeader(oldToken).kid).toBe(oldKid);

    const rotated = await run(keysCommand, ['rotate', 'authz', '--lead', '0']);
    expect(rotated.code).toBe(0);
    const newKid = /new key ([^\s,]+)/.exec(rotated.lines.join('\n'))?.[1];
    expect(newKid).toBeTruthy();
    expect(newKid).not.toBe(oldKid);

    // The running instance picks the new key up on its next reload.
    const newToken = await eventually(async () => {
      const token = await adminToken();
      return decodeProtectedHeader(token).kid === newKid ? token : undefined;
    });
    const after = await jwks();
    expect(after.keys.map((k) => k.kid)).toEqual([newKid, oldKid]);
    const keySet = createLocalJWKSet(after);
    await expect(jwtVerify(oldToken, keySet, { issuer: issuer() })).resolves.toBeTruthy();
    await expect(jwtVerify(newToken, keySet, { issuer: issuer() })).resolves.toBeTruthy();
    // The admin API (a verifier of authz tokens) accepts both.
    for (const token of [oldToken, newToken]) {
      const response = await fetch(`${issuer()}/admin/clients`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(200);
    }

    // The whole sign-in still works on the swapped provider, and its ID token has the new kid.
    const signIn = await authorize(authz.config, authz.rp, AMARA);
    const tokens = await client.authorizationCodeGrant(
      authz.rp,
      signIn.url,
      { pkceCodeVerifier: signIn.codeVerifier, expectedState: signIn.state },
      { resource: authz.config.authz.resources[0]?.identifier ?? '' },
    );
    expect(decodeProtectedHeader(tokens.id_token ?? '').kid).toBe(newKid);
    expect(decodeProtectedHeader(tokens.access_token).kid).toBe(newKid);

    const listed = await run(keysCommand, ['list', 'authz']);
    expect(listed.lines[0]).toMatch(new RegExp(`^authz  ${newKid}  authz  signing  ES256  sealed `));
    expect(listed.lines[1]).toMatch(new RegExp(`^authz  ${oldKid}  authz  retired  .*published until `));
  });

  it('drops a retired key from the set once every token it signed has expired', async () => {
    const database = await openAuthzDatabase(authz.config);
    try {
      const retention = retentionSeconds([authz.config.authz.accessTokenTtl]);
      const now = await loadSigningKeys(database.keyStore());
      expect(now.providerKeys.length).toBeGreaterThanOrEqual(2);
      expect(now.providerKeys[0]?.kid).toBe(now.activeKid);
      const later = await loadSigningKeys(database.keyStore(), Date.now() + (retention + 1) * 1000);
      expect(later.providerKeys.map((k) => k.kid)).toEqual([now.activeKid]);
    } finally {
      await database.close();
    }
  });

  it('refuses unknown key commands with usage', async () => {
    expect((await run(keysCommand, ['rotate', 'nowhere'])).code).toBe(2);
    expect((await run(keysCommand, ['rotate', 'authz', '--purpose', 'issuer-sd-jwt'])).code).toBe(2);
  });
});

describe('attesta clients (offline, on the shared database)', () => {
  it('adds, updates, disables and lists clients, recorded with the operator as actor', async () => {
    const record = {
      client_id: 'from-cli',
      redirect_uris: [RP_REDIRECT],
      jwks_uri: 'https://rp.example/jwks',
      scope: 'openid',
    };
    const added = await run(clientsCommand, ['add', '--json', JSON.stringify(record)]);
    expect(added.code).toBe(0);
    expect(JSON.parse(added.lines[0] ?? '{}')).toMatchObject(record);
    const duplicate = await run(clientsCommand, ['add', '--json', JSON.stringify(record)]);
    expect(duplicate).toMatchObject({ code: 1, lines: ['conflict: client from-cli already exists'] });
    const invalid = await run(clientsCommand, ['update', 'from-cli', '--json', '{"redirect_uris":["x"]}']);
    expect(invalid.code).toBe(1);
    expect(invalid.lines[0]).toMatch(/^invalid_client_metadata: /);
    const updated = await run(clientsCommand, ['update', 'from-cli', '--json', '{"client_name":"CLI"}']);
    expect(JSON.parse(updated.lines[0] ?? '{}').client_name).toBe('CLI');
    const disabled = await run(clientsCommand, ['disable', 'from-cli']);
    expect(JSON.parse(disabled.lines[0] ?? '{}').disabled).toBe(true);

    const list = await run(clientsCommand, ['list']);
    const ids = list.lines.map((line) => JSON.parse(line).client_id);
    expect(ids).toEqual(expect.arrayContaining(['portal', 'fapi', 'rp', 'admin', 'from-cli']));

    // The running service sees the change without a restart: the client is refused now.
    const response = await fetch(
      `${issuer()}/auth?client_id=from-cli&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(RP_REDIRECT)}`,
      { redirect: 'manual' },
    );
    expect(response.status).toBe(400);

    const audit = await fetch(`${issuer()}/admin/audit`, {
      headers: { authorization: `Bearer ${await adminToken()}` },
    });
    const entries = (await audit.json()).entries as { actor: string; action: string; target: string }[];
    const actions = entries.filter((e) => e.target === 'from-cli').map((e) => e.action);
    expect(actions).toEqual(['client.disable', 'client.update', 'client.add']);
    expect(entries.find((e) => e.target === 'from-cli')?.actor).toMatch(/^cli:/);
    expect(entries.some((e) => e.action === 'key.rotate' && e.actor.startsWith('cli:'))).toBe(true);
  });

  it('runs through the attesta entry point (exit codes, --config)', () => {
    const attesta = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
        encoding: 'utf8',
        timeout: 30_000,
      });
    const list = attesta('clients', 'list', '--config', configFile);
    expect(list.status).toBe(0);
    expect(list.stdout).toContain('"client_id":"portal"');
    expect(attesta('keys', 'rotate', '--config', configFile).status).toBe(2);
    expect(attesta('keys', '--help').stdout).toContain('keys rotate <service>');
    expect(attesta('clients', '--help').stdout).toContain('clients disable <id>');
  });

  it('prints usage for an incomplete command', async () => {
    expect((await run(clientsCommand, ['disable'])).code).toBe(2);
    expect((await run(clientsCommand, ['add'])).code).toBe(1);
  });
});
