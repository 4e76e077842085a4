// One complete sign-in at an OpenID Provider, as a person's browser and a confidential relying party
// (the portal) make it, over plain node:http with node:crypto — shared by the login load client
// (bench/load/logins.js) and the benches that need real access tokens (bench/credentials.ts):
// PAR (RFC 9126) with private_key_jwt (RFC 7523) and PKCE S256 → the authorization endpoint → the
// login form (GET, then POST its fields) → the consent page when shown (allow) → the callback's code
// → the token request with private_key_jwt and the code verifier. Every step is checked; a failed one
// throws a SignInError whose `step` names it. Typed for TypeScript callers in sign-in.d.ts.
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { request } from 'node:http';

const b64u = (value) => Buffer.from(value).toString('base64url');

export class SignInError extends Error {
  constructor(step, detail) {
    super(`${step}: ${detail}`);
    this.step = step;
  }
}

/** A P-256 client key: the private JWK to sign assertions with, the public JWK to register. */
export function newClientKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
  const kid = b64u(createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest());
  return {
    privateJwk: privateKey.export({ format: 'jwk' }),
    publicJwk: { kty, crv, x, y, kid, alg: 'ES256', use: 'sig' },
  };
}

/** The endpoints a client needs, from OpenID Connect Discovery. */
export async function discover(issuer) {
  const response = await fetch(`${issuer}/.well-known/openid-configuration`);
  if (response.status !== 200) throw new SignInError('discovery', `status ${response.status}`);
  const metadata = await response.json();
  return {
    issuer: metadata.issuer,
    par: metadata.pushed_authorization_request_endpoint,
    authorization: metadata.authorization_endpoint,
    token: metadata.token_endpoint,
  };
}

function send(agent, method, url, headers = {}, body = undefined) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.end(body);
  });
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const postForm = (agent, url, fields, headers = {}) =>
  send(agent, 'POST', url, { ...FORM, ...headers }, new URLSearchParams(fields).toString());

/** RFC 9449 §4.2: a DPoP proof for the token request, with the server's nonce once it asked for one. */
function tokenDpop(dpopKey, url, nonce) {
  const header = b64u(JSON.stringify({ typ: 'dpop+jwt', alg: 'ES256', jwk: dpopKey.publicJwk }));
  const iat = Math.floor(Date.now() / 1000);
  const claims = { jti: b64u(randomBytes(16)), htm: 'POST', htu: url, iat, ...(nonce ? { nonce } : {}) };
  const input = `${header}.${b64u(JSON.stringify(claims))}`;
  const key = createPrivateKey({ key: dpopKey.privateJwk, format: 'jwk' });
  return `${input}.${b64u(sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }))}`;
}

/** RFC 7523 §3 client assertion, ES256, audience the issuer identifier. */
function clientAssertion(client, key, audience) {
  const now = Math.floor(Date.now() / 1000);
  const header = b64u(JSON.stringify({ alg: 'ES256', kid: client.key.publicJwk.kid, typ: 'JWT' }));
  const payload = b64u(
    JSON.stringify({
      iss: client.clientId,
      sub: client.clientId,
      aud: audience,
      jti: b64u(randomBytes(16)),
      iat: now,
      exp: now + 60,
    }),
  );
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), { key, dsaEncoding: 'ieee-p1363' });
  return {
    client_id: client.clientId,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: `${header}.${payload}.${b64u(signature)}`,
  };
}

const keys = new WeakMap();
const privateKeyOf = (client) => {
  if (!keys.has(client.key))
    keys.set(client.key, createPrivateKey({ key: client.key.privateJwk, format: 'jwk' }));
  return keys.get(client.key);
};

/** A browser's cookies for one site (names are unique across the provider's paths). */
class Browser {
  cookies = new Map();

  constructor(agent, origin) {
    this.agent = agent;
    this.origin = origin;
  }

  async request(method, url, fields = undefined) {
    const headers = fields ? { ...FORM } : {};
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; ');
    // What a browser adds to a form post from the site's own page (authz's cross-site form guard).
    if (method === 'POST') Object.assign(headers, { origin: this.origin, 'sec-fetch-site': 'same-origin' });
    const body = fields && new URLSearchParams(fields).toString();
    const response = await send(this.agent, method, url, headers, body);
    for (const line of response.headers['set-cookie'] ?? []) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      const value = pair.slice(at + 1).trim();
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line))
        this.cookies.delete(pair.slice(0, at));
      else this.cookies.set(pair.slice(0, at).trim(), value);
    }
    return response;
  }

  /** Follows redirects while they stay on this site; a redirect elsewhere ends as `{ leftTo }`. */
  async follow(method, url, fields = undefined) {
    let current = new URL(url);
    let response = await this.request(method, current, fields);
    for (let hops = 0; hops < 10 && response.status >= 300 && response.status < 400; hops++) {
      const next = new URL(response.headers.location ?? '', current);
      if (next.origin !== this.origin) return { response, url: current, leftTo: next };
      current = next;
      response = await this.request('GET', current);
    }
    return { response, url: current };
  }
}

/**
 * One sign-in of `answers` (the login form's fields) for `client` ({ clientId, redirectUri, scope,
 * resource?, prompt?, key, dpopKey? for a DPoP-bound token }) at `server` (from discover()), on `agent`
 * (keep-alive, one site).
 * Returns the token response and whether the consent page was shown.
 */
export async function signIn(server, client, answers, agent) {
  const key = privateKeyOf(client);
  const origin = new URL(server.issuer).origin;
  const browser = new Browser(agent, origin);
  const verifier = b64u(randomBytes(32));
  const state = b64u(randomBytes(16));
  const nonce = b64u(randomBytes(16));
  const resource = client.resource ? { resource: client.resource } : {};

  const par = await postForm(agent, server.par, {
    response_type: 'code',
    redirect_uri: client.redirectUri,
    scope: client.scope,
    state,
    nonce,
    code_challenge: b64u(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
    ...(client.prompt ? { prompt: client.prompt } : {}),
    ...resource,
    ...clientAssertion(client, key, server.issuer),
  });
  if (par.status !== 201) throw new SignInError('par', `${par.status} ${par.body.slice(0, 160)}`);
  const authorization = new URL(server.authorization);
  authorization.search = new URLSearchParams({
    client_id: client.clientId,
    request_uri: JSON.parse(par.body).request_uri,
  }).toString();
  const login = await browser.follow('GET', authorization);
  if (login.response.status !== 200 || !login.response.body.includes('/login"'))
    throw new SignInError('login form', `${login.response.status} at ${login.url.pathname}`);

  let step = await browser.follow('POST', `${login.url.href}/login`, answers);
  let consented = false;
  if (!step.leftTo && step.response.status === 200 && step.response.body.includes('name="decision"')) {
    consented = true;
    step = await browser.follow('POST', `${step.url.href}/consent`, { decision: 'allow' });
  }
  const callback = step.leftTo;
  if (!callback || `${callback.origin}${callback.pathname}` !== client.redirectUri)
    throw new SignInError('login', `${step.response.status} at ${step.url.pathname}`);
  const code = callback.searchParams.get('code');
  if (!code || callback.searchParams.get('state') !== state)
    throw new SignInError('callback', callback.searchParams.get('error') ?? 'no code or wrong state');

  const tokenRequest = (dpopNonce) =>
    postForm(
      agent,
      server.token,
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: client.redirectUri,
        code_verifier: verifier,
        ...resource,
        ...clientAssertion(client, key, server.issuer),
      },
      client.dpopKey ? { dpop: tokenDpop(client.dpopKey, server.token, dpopNonce) } : {},
    );
  let token = await tokenRequest();
  // RFC 9449 §8: a server that wants a nonce answers use_dpop_nonce with one in DPoP-Nonce.
  if (client.dpopKey && token.status === 400 && token.headers['dpop-nonce'])
    token = await tokenRequest(token.headers['dpop-nonce']);
  if (token.status !== 200) throw new SignInError('token', `${token.status} ${token.body.slice(0, 160)}`);
  const tokens = JSON.parse(token.body);
  if (typeof tokens.access_token !== 'string') throw new SignInError('token', 'no access_token');
  if (client.scope.split(' ').includes('openid')) {
    const claims = JSON.parse(Buffer.from(String(tokens.id_token).split('.')[1] ?? '', 'base64url'));
    if (claims.nonce !== nonce || claims.aud !== client.clientId || claims.iss !== server.issuer)
      throw new SignInError('token', 'no id_token for this request');
  }
  return { tokens, consented };
}
