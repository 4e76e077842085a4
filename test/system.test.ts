import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from './helpers/system.js';

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(async () => system?.stop());

it('starts the three services on their own ports', async () => {
  // The protocol services answer an unknown path in OAuth-style error JSON.
  for (const url of [system.urls.authz, system.urls.issuer]) {
    const response = await fetch(`${url}/does-not-exist`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'not_found', error_description: 'no such endpoint' });
  }
  // The portal is for people: a real 404 page, not JSON.
  const response = await fetch(`${system.urls.portal}/does-not-exist`, { headers: { accept: 'text/html' } });
  expect(response.status).toBe(404);
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  expect(await response.text()).toMatch(/<html[^>]*lang="en"/);
});
