import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/platform/errors.js';
import { createServer } from '../../src/platform/server.js';

/** The server factory's logs: levels an operator can alert on, one line per request, a request id. */
function serverWithLogs() {
  const lines: Record<string, unknown>[] = [];
  const app = createServer({
    service: 'test',
    logLevel: 'info',
    logStream: { write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  app.get('/boom/:id', async () => {
    throw new Error('database exploded');
  });
  app.post('/credential', async () => {
    throw new ProtocolError(401, 'invalid_token', 'the access token is not valid');
  });
  app.get('/fine', async () => ({ ok: true }));
  return { app, lines };
}

describe('request logs', () => {
  it('a 5xx is logged at error with the request id the client got back', async () => {
    const { app, lines } = serverWithLogs();
    const response = await app.inject({ method: 'GET', url: '/boom/5102030400?code=secret-code' });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ error: 'server_error', error_description: 'internal error' });
    const requestId = response.headers['x-request-id'];
    expect(requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const errors = lines.filter((l) => l.level === 50);
    expect(errors.map((l) => l.msg).sort()).toEqual(['request', 'request failed']);
    for (const line of errors) expect(line.reqId).toBe(requestId);
    expect(errors.find((l) => l.msg === 'request')).toMatchObject({
      route: '/boom/:id',
      status: 500,
      method: 'GET',
    });
    // The path's values and the query string are not logged: the route template is.
    const all = JSON.stringify(lines);
    expect(all).not.toContain('5102030400');
    expect(all).not.toContain('secret-code');
    await app.close();
  });

  it('a refused token is at warn; an ordinary request is one info line with its duration', async () => {
    const { app, lines } = serverWithLogs();
    expect((await app.inject({ method: 'POST', url: '/credential' })).statusCode).toBe(401);
    expect(lines.find((l) => l.msg === 'request refused')).toMatchObject({
      level: 40,
      error: 'invalid_token',
    });
    expect(lines.find((l) => l.msg === 'request')).toMatchObject({
      level: 30,
      status: 401,
      route: '/credential',
    });
    lines.length = 0;
    await app.inject({ method: 'GET', url: '/fine' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      msg: 'request',
      service: 'test',
      route: '/fine',
      status: 200,
    });
    expect(typeof lines[0]?.durationMs).toBe('number');
    await app.inject({ method: 'GET', url: '/no/such/path' });
    expect(lines[1]).toMatchObject({ route: 'unmatched', status: 404 });
    await app.close();
  });
});
