import { rmSync } from 'node:fs';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSystem, startSystem } from '../../src/system.js';
import { addTestClients, rpFor, serverMetadata, type TestClients } from '../authz/protocol-setup.js';
import { testConfig } from '../helpers/system.js';

let system: RunningSystem;
let dataDir: string;
let clients: TestClients;
let admin: client.Configuration;
let issuerUrl: string;

beforeAll(async () => {
  const test = await testConfig({ services: ['authz', 'issuer'] });
  dataDir = test.dataDir;
  clients = await addTestClients(test.config);
  system = await startSystem(test.config, ['authz', 'issuer']);
  issuerUrl = test.config.issuer.publicUrl;
  admin = rpFor(await serverMetadata(test.config), clients.admin.id, clients.admin.key);
});

afterAll(async () => {
  await system?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe("the issuer's admin API with authz's client_credentials tokens", () => {
  it('accepts a token with scope issuer:admin for the issuer, and audits the client', async () => {
    const { access_token } = await client.clientCredentialsGrant(admin, {
      scope: 'issuer:admin',
      resource: issuerUrl,
    });
    const response = await fetch(`${issuerUrl}/admin/configurations`, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(response.status).toBe(200);
    const audit = await fetch(`${issuerUrl}/admin/audit?limit=5`, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    const entries = ((await audit.json()) as { entries: { actor: string; action: string }[] }).entries;
    expect(entries[1]).toMatchObject({ actor: 'oauth:admin', action: 'GET /admin/configurations' });
  });

  it("refuses authz's own admin token (another audience) with the issuer's error", async () => {
    const { access_token } = await client.clientCredentialsGrant(admin, { scope: 'authz:admin' });
    const response = await fetch(`${issuerUrl}/admin/configurations`, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: 'invalid_token',
      error_description: 'access token audience is not this issuer',
    });
  });
});
