import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyStore } from '../../src/issuer/admin/index.js';
import { issuerBehindForeignAsForFile, requestCredential } from './helpers/issue-credential.js';

const server = issuerBehindForeignAsForFile();
let apiKey: string;
let hanging: Server;
let hangingUrl: string;
let hangingHits = 0;

beforeAll(async () => {
  apiKey = (await new ApiKeyStore(server.database.db).create('failures test')).key;
  // A data provider that accepts the connection and never answers.
  hanging = createServer(() => {
    hangingHits++;
  });
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
});

afterAll(async () => {
  hanging?.closeAllConnections();
  await new Promise((resolve) => hanging?.close(resolve));
});

async function admin(method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.issuer.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function configuration(id: string, overrides: Record<string, unknown>) {
  return {
    id,
    format: 'dc+sd-jwt',
    scope: 'failure_test',
    vct: `urn:attesta:test:${id}`,
    display: [{ name: id, locale: 'en' }],
    claims: [{ path: ['name'], disclosable: true, display: [{ name: 'Name', locale: 'en' }] }],
    provider: { type: 'registry' },
    template: { name: `${id}-template`, output: { name: 'fullName' } },
    ...overrides,
  };
}

function request(configurationId: string, sub = '5102030400') {
  return requestCredential(server, configurationId, { claims: { sub, scope: 'national_id failure_test' } });
}

async function counts() {
  const ledger = await server.database.db
    .selectFrom('issuer_ledger')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const entries = await server.database.db
    .selectFrom('issuer_status_entries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return { ledger: Number(ledger.n), entries: Number(entries.n) };
}

describe('issuance failures leave nothing half-written', () => {
  it('a template failing on a record names configuration, template and path', async () => {
    const saved = await admin(
      'POST',
      '/admin/configurations',
      configuration('bad_template', { template: { name: 'arith', output: { name: 'fullName + 1' } } }),
    );
    expect(saved.status).toBe(201);
    const before = await counts();
    const result = await request('bad_template');
    expect(result.status).toBe(400);
    expect(result.body.error).toBe('credential_request_denied');
    expect(result.body.error_description).toMatch(
      /^configuration bad_template, template arith, path name: evaluation failed \(JSONata T2001 at \d+\)$/,
    );
    // No record value leaks into the message.
    expect(String(result.body.error_description)).not.toContain('Amara');
    expect(await counts()).toEqual(before);
  });

  it('a template that does not compile is refused when saved', async () => {
    const saved = await admin(
      'POST',
      '/admin/configurations',
      configuration('broken', { template: { name: 'unclosed', output: { name: '$uppercase(fullName' } } }),
    );
    expect(saved.status).toBe(400);
    expect(saved.body.error).toBe('invalid_configuration');
    expect(saved.body.error_description).toMatch(
      /^template: configuration broken, template unclosed, path name: /,
    );
    expect((await admin('GET', '/admin/configurations/broken')).status).toBe(404);
  });

  it('a provider that times out gives temporarily_unavailable after bounded retries', async () => {
    const saved = await admin(
      'POST',
      '/admin/configurations',
      configuration('slow_provider', {
        provider: { type: 'http', url: `${hangingUrl}/records/{key}`, timeoutMs: 150, retries: 1 },
      }),
    );
    expect(saved.status).toBe(201);
    const before = await counts();
    const hits = hangingHits;
    const started = Date.now();
    const result = await request('slow_provider');
    expect(result.status).toBe(503);
    expect(result.body).toEqual({
      error: 'temporarily_unavailable',
      error_description:
        'the data provider of configuration slow_provider is unavailable: the HTTP data provider timed out',
    });
    expect(result.headers.get('retry-after')).toBe('30');
    expect(hangingHits - hits).toBe(2); // one try + one retry, no more
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await counts()).toEqual(before);
  });

  it('a subject without a record is refused without echoing it', async () => {
    const before = await counts();
    const result = await request('national_id_sd_jwt', '9999999999');
    expect(result.status).toBe(400);
    expect(result.body).toEqual({
      error: 'invalid_credential_request',
      error_description: 'no record for this subject in the data of configuration national_id_sd_jwt',
    });
    expect(await counts()).toEqual(before);
  });

  it('a record missing a required value is refused, naming the path', async () => {
    await admin(
      'POST',
      '/admin/configurations',
      configuration('needs_email', {
        template: {
          name: 'with-email',
          output: { name: 'fullName', mail: 'emailAddress' },
          required: [['mail']],
        },
      }),
    );
    const before = await counts();
    const result = await request('needs_email');
    expect(result.body).toEqual({
      error: 'credential_request_denied',
      error_description:
        'configuration needs_email, template with-email, path mail: required value missing in the record',
    });
    expect(await counts()).toEqual(before);
  });

  it('a disabled configuration is no longer issued; a success writes one ledger row and one entry', async () => {
    await admin('POST', '/admin/configurations', configuration('works', {}));
    const before = await counts();
    expect((await request('works')).status).toBe(200);
    expect(await counts()).toEqual({ ledger: before.ledger + 1, entries: before.entries + 1 });
    expect((await admin('POST', '/admin/configurations/works/disable')).body).toEqual({
      id: 'works',
      enabled: false,
    });
    const result = await request('works');
    expect(result.status).toBe(400);
    expect(result.body.error).toBe('unknown_credential_configuration');
  });
});
