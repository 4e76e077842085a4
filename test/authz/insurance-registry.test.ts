import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../helpers/system.js';
import { type AuthzUnderTest, authorize, Browser, closeServer, startAuthz } from './helpers.js';

/**
 * authz in front of an insurer's registry behind a Sunbird RC style search API: the person signs
 * in with policy number + full name + date of birth (fields described in configuration).
 */
const MEMBERS = [
  { policyNumber: 'P-1001', holder: { name: 'Ana Lima', dob: '1984-07-21' } },
  { policyNumber: 'P-2002', holder: { name: 'Twin A', dob: '1990-01-01' } },
  { policyNumber: 'P-2002', holder: { name: 'Twin A', dob: '1990-01-01' } },
];

let registry: Server;
let authz: AuthzUnderTest;
let dataDir: string;

beforeAll(async () => {
  registry = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const { filters } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      filters: { policyNumber: { eq: string } };
    };
    const id = filters.policyNumber.eq;
    if (id === 'P-9999') return; // never answers: the adapter's timeout must end the wait
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(MEMBERS.filter((m) => m.policyNumber === id)));
  });
  await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
  const port = (registry.address() as AddressInfo).port;

  const test = await testConfig({ services: ['authz'] });
  dataDir = test.dataDir;
  test.config.registry = {
    ...test.config.registry,
    adapter: 'http',
    http: {
      searchUrl: `http://127.0.0.1:${port}/api/v1/Member/search`,
      timeoutMs: 300,
      fields: { individualId: 'policyNumber', fullName: 'holder.name', birthDate: 'holder.dob' },
    },
  };
  test.config.authz.login.kbi.fields = [
    {
      id: 'policy_number',
      attribute: 'individualId',
      type: 'text',
      pattern: '^P-[0-9]{4}$',
      maxLength: 6,
      label: { en: 'Policy number', fr: 'Numéro de police', ar: 'رقم البوليصة' },
    },
    { id: 'full_name', attribute: 'fullName', type: 'text', match: 'name', label: { en: 'Full name' } },
    { id: 'birth_date', attribute: 'birthDate', type: 'date', label: { en: 'Date of birth' } },
  ];
  authz = await startAuthz(test.config);
});

afterAll(async () => {
  await authz?.stop();
  if (registry) await closeServer(registry);
  rmSync(dataDir, { recursive: true, force: true });
});

const ANA = { policy_number: 'P-1001', full_name: 'ana lima', birth_date: '1984-07-21' };

describe('an insurance registry behind an HTTP search API', () => {
  it('shows the configured fields with their labels per language', async () => {
    const browser = new Browser();
    const url = client.buildAuthorizationUrl(authz.rp, {
      redirect_uri: authz.config.authz.clients[0]?.redirect_uris[0] ?? '',
      scope: 'openid national_id',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      ui_locales: 'fr',
      resource: authz.config.authz.resources[0]?.identifier ?? '',
    });
    const html = await (await browser.follow(url, authz.config.authz.publicUrl)).response.text();
    expect(html).toContain('<label for="policy_number">Numéro de police</label>');
    // No French label configured: English is the fallback.
    expect(html).toContain('<label for="full_name">Full name</label>');
    expect(html).not.toContain('individual_id');
  });

  it('signs in with policy number + name + birth date; sub is the policy number', async () => {
    const run = await authorize(authz.config, authz.rp, ANA);
    const tokens = await client.authorizationCodeGrant(
      authz.rp,
      run.url,
      { pkceCodeVerifier: run.codeVerifier, expectedState: run.state },
      { resource: authz.config.authz.resources[0]?.identifier ?? '' },
    );
    expect(tokens.claims()?.sub).toBe('P-1001');
  });

  it('refuses a policy number that does not match the configured pattern before any lookup', async () => {
    const run = await authorize(authz.config, authz.rp, { ...ANA, policy_number: 'X-1' });
    expect(run.response.status).toBe(400);
    expect(await run.response.text()).toContain('Fill in every field in the expected format');
  });

  it('treats several registry matches as no match', async () => {
    const run = await authorize(authz.config, authz.rp, {
      policy_number: 'P-2002',
      full_name: 'Twin A',
      birth_date: '1990-01-01',
    });
    expect(run.response.status).toBe(200);
    expect(await run.response.text()).toContain('do not match our records');
  });

  it('answers a registry timeout with a 503 page, not an error dump, and does not count it', async () => {
    const started = Date.now();
    const run = await authorize(authz.config, authz.rp, { ...ANA, policy_number: 'P-9999' });
    expect(run.response.status).toBe(503);
    const html = await run.response.text();
    expect(html).toContain('The registry cannot be reached at the moment.');
    expect(html).not.toContain('attempts left');
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
