// The reference issuer of `npm run bench` (issue 14): a plain OpenID4VCI issuer written the way the
// library intends, on oidc-provider's experimental `features.openid4vci` (the exact version Attesta
// depends on) — nonce endpoint, pre-authorized code grant, credential endpoint — issuing the same
// SD-JWT VC as Attesta's demo `national_id_sd_jwt` (same claims, same 12 disclosures, ES256,
// `cnf.jwk` from the proof, a Token Status List reference) through @sd-jwt/sd-jwt-vc with the
// signer, digest and salts of @sd-jwt/crypto-nodejs. Everything in memory, as a library example would.
// Plain JavaScript run by plain node, as the compiled Attesta is. Forked by bench/credentials.ts;
// configuration in PEER_CONFIG (JSON: port, tokens); answers with its pre-authorized codes over IPC.
import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { digest, ES256, generateSalt } from '@sd-jwt/crypto-nodejs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { decodeProtectedHeader } from 'jose';
import Provider from 'oidc-provider';

const { port, codes: codeCount } = JSON.parse(process.env.PEER_CONFIG ?? '{}');
const issuer = `http://localhost:${port}`;
const CONFIGURATION_ID = 'national_id_sd_jwt';
const SCOPE = 'national_id';
const VCT = `${issuer}/types/national-id`;
const WALLET = 'bench-wallet';

// The registry: the demo identities, in memory.
const identities = JSON.parse(
  readFileSync(new URL('../../config/demo/identities.json', import.meta.url), 'utf8'),
).identities;
const people = new Map(identities.map((person) => [person.individualId, person]));

const { privateKey: issuerJwk } = await ES256.generateKeyPair();
const signer = await ES256.getSigner(issuerJwk);
const sdjwt = new SDJwtVcInstance({
  signer,
  signAlg: 'ES256',
  hasher: digest,
  hashAlg: 'sha-256',
  saltGenerator: generateSalt,
});
const vctIntegrity = `sha256-${randomBytes(32).toString('base64')}`;

/** The claims of Attesta's demo template (config/demo/configurations/national_id_sd_jwt.json). */
function claimsOf(person) {
  return {
    given_name: person.givenName,
    family_name: person.familyName,
    birthdate: person.birthDate,
    gender: person.gender,
    address: {
      street_address: person.address.streetAddress,
      locality: person.address.locality,
      postal_code: person.address.postalCode,
      country: person.address.country,
    },
    nationalities: [person.nationality],
    email: person.email,
    phone_number: person.phone,
    issuing_country: 'XA',
  };
}
const FRAME = {
  _sd: [
    'given_name',
    'family_name',
    'birthdate',
    'gender',
    'address',
    'nationalities',
    'email',
    'phone_number',
  ],
  address: { _sd: ['street_address', 'locality', 'postal_code', 'country'] },
};

const credentialEndpoint = `${issuer}/credential`;
const provider = new Provider(issuer, {
  clients: [
    {
      client_id: WALLET,
      token_endpoint_auth_method: 'none',
      grant_types: ['urn:ietf:params:oauth:grant-type:pre-authorized_code'],
      response_types: [],
      redirect_uris: [],
    },
  ],
  findAccount: (_ctx, id) => (people.has(id) ? { accountId: id, claims: () => ({ sub: id }) } : undefined),
  scopes: [SCOPE],
  ttl: { PreAuthorizedCode: 600, AccessToken: 3600, Grant: 3600 },
  features: {
    devInteractions: { enabled: false },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => credentialEndpoint,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: SCOPE,
        audience: credentialEndpoint,
        accessTokenFormat: 'opaque',
      }),
    },
    openid4vci: {
      enabled: true,
      ack: 'experimental-01',
      nonceSecret: randomBytes(32),
      preAuthorizedCodeGrant: true,
      credentialConfigurationsSupported: {
        [CONFIGURATION_ID]: {
          format: 'dc+sd-jwt',
          vct: VCT,
          scope: SCOPE,
          cryptographic_binding_methods_supported: ['jwk'],
          credential_signing_alg_values_supported: ['ES256'],
          proof_types_supported: { jwt: { proof_signing_alg_values_supported: ['ES256'] } },
        },
      },
      async issueCredential(_ctx, { proofs, accessToken }) {
        const person = people.get(accessToken.accountId);
        const now = Math.floor(Date.now() / 1000);
        const credentials = [];
        for (const proof of proofs.jwt) {
          const { jwk } = decodeProtectedHeader(proof);
          const credential = await sdjwt.issue(
            {
              iss: issuer,
              iat: now,
              exp: now + 365 * 86400,
              vct: VCT,
              'vct#integrity': vctIntegrity,
              cnf: { jwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y } },
              status: { status_list: { idx: randomInt(131072), uri: `${issuer}/status/token/1` } },
              ...claimsOf(person),
            },
            FRAME,
            { header: { typ: 'dc+sd-jwt' } },
          );
          credentials.push({ credential });
        }
        return { credentials };
      },
    },
  },
});
provider.proxy = false;

/** Pre-authorized codes for the registry's people, as an issuer hands them out in its offers. */
async function preAuthorizedCodes(count) {
  const client = await provider.Client.find(WALLET);
  const codes = [];
  for (let i = 0; i < count; i++) {
    const accountId = identities[i % identities.length].individualId;
    const grant = new provider.Grant({ accountId, clientId: WALLET });
    grant.addResourceScope(credentialEndpoint, SCOPE);
    const grantId = await grant.save();
    codes.push(
      await new provider.PreAuthorizedCode({
        accountId,
        grantId,
        client,
        scope: SCOPE,
        resource: credentialEndpoint,
      }).save(),
    );
  }
  return codes;
}

const server = provider.listen(port, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const { d: _private, ...issuerPublicJwk } = issuerJwk;
process.send?.({
  ready: true,
  issuer,
  issuerJwk: issuerPublicJwk,
  codes: await preAuthorizedCodes(codeCount ?? 16),
});
process.on('message', (message) => {
  if (message?.stop) server.close(() => process.exit(0));
});
