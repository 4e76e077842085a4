import fc from 'fast-check';

/**
 * Requests an attacker might send to a route: its own method (mostly) on a path whose parameters are
 * filled with junk, with query parameters, headers and bodies built from the names the protocols use
 * (OAuth 2.0, OpenID Connect, OpenID4VCI, DPoP) and values of every JSON type, JWT-shaped strings,
 * broken encodings and, sometimes, a real person of the demo registry (which the answer may then
 * repeat, since the request sent it).
 */
export interface FuzzRequest {
  method: string;
  /** Raw request target: path and query, already percent-encoded where HTTP requires it. */
  target: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/** Parameter and field names from the specifications the three services speak. */
const FIELD_NAMES = [
  'client_id',
  'response_type',
  'redirect_uri',
  'scope',
  'state',
  'nonce',
  'code',
  'code_verifier',
  'code_challenge',
  'code_challenge_method',
  'grant_type',
  'refresh_token',
  'resource',
  'request',
  'request_uri',
  'client_assertion',
  'client_assertion_type',
  'token',
  'token_type_hint',
  'prompt',
  'max_age',
  'acr_values',
  'ui_locales',
  'id_token_hint',
  'post_logout_redirect_uri',
  'authorization_details',
  'issuer_state',
  'pre-authorized_code',
  'tx_code',
  'credential_configuration_id',
  'credential_configuration_ids',
  'credential_identifier',
  'credential_offer',
  'credential_offer_uri',
  'proof',
  'proofs',
  'jwt',
  'proof_type',
  'credential_response_encryption',
  'transaction_id',
  'notification_id',
  'event',
  'event_description',
  'format',
  'vct',
  'doctype',
  'subject',
  'claims',
  'individual_id',
  'individualId',
  'full_name',
  'fullName',
  'birth_date',
  'birthDate',
  'password',
  'otp',
  'lang',
  'text',
  'credential',
  'id',
  'status',
  'reason',
  'jwks',
  'jwks_uri',
  'redirect_uris',
  'grant_types',
  'keys',
  'key',
  'name',
  'realm',
  'interaction',
  'submit',
  'decision',
  '__proto__',
  'constructor',
];

const TRICKY_STRINGS = [
  '',
  ' ',
  '..',
  '../../etc/passwd',
  '%',
  '%00',
  '%ff%fe',
  '\u0000',
  '\ud800',
  '💥',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
  '9007199254740993',
  'true',
  '{}',
  '[]',
  '{"a":',
  '<script>alert(1)</script>',
  "' OR '1'='1",
  'a'.repeat(5000),
  'national_id_sd_jwt',
  'openid',
  'authorization_code',
  'urn:ietf:params:oauth:grant-type:pre-authorized_code',
  'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
  'client_credentials',
  'refresh_token',
  'code',
  'S256',
  'dc+sd-jwt',
  'mso_mdoc',
  'jwt_vc_json',
  'credential_accepted',
  'http://localhost/',
  'javascript:alert(1)',
  'data:,x',
];

/** Percent-encodes every byte of the UTF-8 text but the unreserved ones (lone surrogates become U+FFFD). */
const pct = (text: string) =>
  [...Buffer.from(text, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).padStart(2, '0')}`,
    )
    .join('');

/** base64url of arbitrary text (not necessarily JSON). */
const b64u = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

const jsonText = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v));

/** Strings shaped like compact JWS/JWE, the thing most endpoints here parse first. */
const jwtLike = fc
  .tuple(
    fc.oneof(
      jsonText,
      fc.constantFrom(
        '{"alg":"none"}',
        '{"alg":"ES256","typ":"openid4vci-proof+jwt","jwk":{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}}',
        '{"alg":"ES256","typ":"at+jwt","kid":"x"}',
        '{"alg":"ES256","typ":"dpop+jwt","jwk":{"kty":"OKP","crv":"Ed25519","x":"AA"}}',
        '{"alg":"HS256","typ":"JWT"}',
        '{"alg":"RSA-OAEP-256","enc":"A256GCM"}',
        '{"alg":"ES256","crit":["b64"],"b64":false}',
      ),
    ),
    fc.oneof(jsonText, fc.constant('{"iss":"x","aud":"y","exp":1,"iat":9999999999,"nonce":"n"}')),
    fc.string({ maxLength: 40 }),
    fc.integer({ min: 2, max: 5 }),
  )
  .map(([header, payload, signature, parts]) =>
    [b64u(header), b64u(payload), b64u(signature), b64u(signature), b64u(signature)]
      .slice(0, parts)
      .join('.'),
  );

export function fuzzArbitraries(piiValues: string[], validTokens: string[] = []) {
  const pii = fc.constantFrom(...piiValues);
  const scalar = fc.oneof(
    { weight: 3, arbitrary: fc.string({ maxLength: 60 }) },
    { weight: 3, arbitrary: fc.constantFrom(...TRICKY_STRINGS) },
    { weight: 2, arbitrary: jwtLike },
    { weight: 1, arbitrary: pii },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  );
  const jsonValue: fc.Arbitrary<unknown> = fc.oneof(
    { weight: 4, arbitrary: scalar },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
    { weight: 1, arbitrary: fc.array(scalar, { maxLength: 4 }) },
    {
      weight: 1,
      arbitrary: fc.dictionary(fc.constantFrom(...FIELD_NAMES), scalar, { maxKeys: 4 }),
    },
    { weight: 1, arbitrary: fc.constantFrom(null, 0, -1, 1.5, true, false, 1e308) },
  );
  const fieldName = fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...FIELD_NAMES) },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  );
  const fields = fc.dictionary(fieldName, jsonValue, { maxKeys: 6 });
  const textOf = (v: unknown) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''));

  const query = fc.oneof(
    { weight: 1, arbitrary: fc.constant('') },
    {
      weight: 3,
      arbitrary: fields.map((f) =>
        Object.entries(f)
          .map(([k, v]) => `${pct(k)}=${pct(textOf(v))}`)
          .join('&'),
      ),
    },
    // Raw, possibly broken query text (bad percent-encoding, repeated keys, no '=').
    {
      weight: 1,
      arbitrary: fc.constantFrom('a=%', '%zz', 'client_id&client_id', '=&=&', 'x[y][z]=1', 'a=%ff%fe'),
    },
  );

  const segment = fc.oneof(
    fc.constantFrom('no-such-id', '0', '-1', '999999999999', 'national_id_sd_jwt', 'x'.repeat(300)),
    fc.string({ minLength: 1, maxLength: 40 }).map(pct),
    fc.constantFrom('%2e%2e', '%00', '%ff', '..%2f..%2f', '%', '%E0%A4%A'),
  );

  type Body = { contentType?: string; body?: Buffer };
  const body: fc.Arbitrary<Body> = fc.oneof(
    { weight: 2, arbitrary: fc.constant<Body>({}) },
    {
      weight: 4,
      arbitrary: fields.map((f) => ({
        contentType: 'application/json',
        body: Buffer.from(JSON.stringify(f)),
      })),
    },
    {
      weight: 3,
      arbitrary: fields.map((f) => ({
        contentType: 'application/x-www-form-urlencoded',
        body: Buffer.from(new URLSearchParams(Object.entries(f).map(([k, v]) => [k, textOf(v)])).toString()),
      })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom(
            'application/json',
            'application/x-www-form-urlencoded',
            'text/plain',
            'application/jwt',
            'application/octet-stream',
            'application/json; charset=utf-16',
            'nonsense',
          ),
          fc.oneof(
            fc.string({ maxLength: 200 }),
            jsonText,
            jwtLike,
            fc.constantFrom(
              '{"a":',
              '[[[[[[[[[[',
              '\u0000\u0001',
              'null',
              '"x"',
              '{"__proto__":{"polluted":1}}',
            ),
          ),
        )
        .map(([contentType, text]) => ({ contentType, body: Buffer.from(text) })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.uint8Array({ maxLength: 512 }), fieldName, fc.boolean())
        .map(([bytes, name, png]) => {
          const boundary = 'fuzzboundary';
          const file = Buffer.concat([
            png ? Buffer.from('89504e470d0a1a0a', 'hex') : Buffer.alloc(0),
            Buffer.from(bytes),
          ]);
          return {
            contentType: `multipart/form-data; boundary=${boundary}`,
            body: Buffer.concat([
              Buffer.from(
                `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n`,
              ),
              file,
              Buffer.from(`\r\n--${boundary}--\r\n`),
            ]),
          };
        }),
    },
  );

  const headers = fc.record(
    {
      authorization: fc.oneof(
        ...validTokens.map((t) => fc.constant(`Bearer ${t}`)),
        ...validTokens.map((t) => fc.constant(`Bearer ${t}`)),
        jwtLike.map((t) => `Bearer ${t}`),
        jwtLike.map((t) => `DPoP ${t}`),
        fc.string({ maxLength: 40 }).map((t) => `Basic ${b64u(t)}`),
        fc.constantFrom('Bearer', 'Bearer ', 'DPoP', 'Negotiate x', 'Bearer a b c'),
      ),
      dpop: jwtLike,
      accept: fc.constantFrom('text/html', 'application/json', '*/*', 'application/jwt', 'image/png'),
      'accept-language': fc.constantFrom('fr', 'ar', 'en', 'zz', 'fr-CA;q=0.5, ar', '*', ';;;'),
      cookie: fc.oneof(
        fc.string({ maxLength: 60 }).map((v) => `attesta_session=${pct(v)}`),
        fc.constantFrom('_interaction=x; _session=y', 'a=%ff', '=;=;'),
      ),
      'sec-fetch-site': fc.constantFrom('same-origin', 'cross-site', 'none', 'same-site'),
      origin: fc.constantFrom('null', 'http://evil.example', 'http://localhost'),
    },
    { requiredKeys: [] },
  );

  return (route: { method: string; path: string }): fc.Arbitrary<FuzzRequest> =>
    fc
      .record({
        // Mostly the route's own method; now and then another one.
        otherMethod: fc.oneof(
          { weight: 7, arbitrary: fc.constant(undefined) },
          { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH') },
        ),
        segments: fc.array(segment, { minLength: 4, maxLength: 4 }),
        query,
        body,
        headers,
      })
      .map(({ otherMethod, segments, query: q, body: b, headers: h }) => {
        let i = 0;
        const path = route.path
          .replace(/:[A-Za-z]+/g, () => segments[i++ % segments.length] as string)
          .replace(/\*$/, () => segments[i++ % segments.length] as string);
        const method = otherMethod ?? route.method;
        const withBody = method !== 'GET' && method !== 'HEAD';
        const all: Record<string, string> = { ...h };
        if (withBody && b.contentType) all['content-type'] = b.contentType;
        return {
          method,
          target: q ? `${path}?${q}` : path,
          headers: all,
          body: withBody ? b.body : undefined,
        };
      });
}
