// The reference login server of `npm run bench -- logins` (issue 14 item 4): a minimal OpenID Provider
// on the exact oidc-provider version Attesta pins, written the way the library's examples are — its
// in-memory adapter, one confidential client (private_key_jwt, PKCE required, PAR on), interactions for
// login and consent served beside the provider, and a trivial login check (the demo people in a Map:
// ID, name and date of birth compared as typed). Plain JavaScript run by plain node. Forked by
// bench/logins.ts; configuration in PEER_CONFIG (JSON: port, clientId, redirectUri, jwk — the client's
// public key); says `{ ready, issuer }` over IPC once it listens.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const { port, clientId, redirectUri, jwk } = JSON.parse(process.env.PEER_CONFIG ?? '{}');
const issuer = `http://localhost:${port}`;
const people = new Map(
  JSON.parse(
    readFileSync(new URL('../../config/demo/identities.json', import.meta.url), 'utf8'),
  ).identities.map((person) => [person.individualId, person]),
);

const signingKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'private_key_jwt',
      id_token_signed_response_alg: 'ES256',
      jwks: { keys: [jwk] },
    },
  ],
  clientAuthMethods: ['private_key_jwt'],
  jwks: { keys: [{ ...signingKey, alg: 'ES256', use: 'sig', kid: 'peer' }] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  scopes: ['openid', 'national_id'],
  pkce: { required: () => true },
  findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id }) }),
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  features: { devInteractions: { enabled: false }, pushedAuthorizationRequests: { enabled: true } },
});
provider.proxy = false;

const page = (status, res, body) => {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><html><body>${body}</body></html>`);
};
const loginForm = (uid, error = '') =>
  `${error}<form method="post" action="/interaction/${uid}/login"><input name="individual_id"><input name="full_name"><input name="date_of_birth" type="date"><button>Sign in</button></form>`;
const consentForm = (uid) =>
  `<form method="post" action="/interaction/${uid}/consent"><input type="hidden" name="decision" value="allow"><button>Allow</button></form>`;

async function formOf(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}

/** The interaction routes: GET shows the prompt's form, POST …/login and …/consent answer it. */
async function interaction(req, res) {
  const [, , uid, action] = (req.url ?? '').split('?')[0].split('/');
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return page(400, res, 'wrong interaction');
  const { prompt } = details;
  if (req.method === 'GET')
    return page(200, res, prompt.name === 'login' ? loginForm(uid) : consentForm(uid));
  const fields = await formOf(req);
  if (action === 'login' && prompt.name === 'login') {
    const person = people.get(fields.individual_id);
    if (person?.fullName !== fields.full_name || person?.birthDate !== fields.date_of_birth)
      return page(200, res, loginForm(uid, '<p>Not recognised.</p>'));
    const login = { accountId: person.individualId };
    return provider.interactionFinished(req, res, { login }, { mergeWithLastSubmission: false });
  }
  if (action === 'consent' && prompt.name === 'consent' && fields.decision === 'allow') {
    const grant = new provider.Grant({ accountId: details.session.accountId, clientId });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    const consent = { grantId: await grant.save() };
    return provider.interactionFinished(req, res, { consent }, { mergeWithLastSubmission: true });
  }
  return page(400, res, 'unexpected step');
}

const callback = provider.callback();
const server = createServer((req, res) => {
  if (req.url?.startsWith('/interaction/')) {
    interaction(req, res).catch((error) => page(500, res, String(error.message)));
  } else {
    callback(req, res);
  }
});
server.listen(port, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
process.send?.({ ready: true, issuer });
process.on('message', (message) => {
  if (!message?.stop) return;
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
