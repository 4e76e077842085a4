import { beforeAll, describe, expect, it } from 'vitest';
import { issueSdJwtVc } from '../../../src/credentials/formats/sd-jwt-vc/index.js';
import { encodeTokenStatusList } from '../../../src/credentials/status/index.js';
import { checkStatus, verifyCredential } from '../../../src/credentials/verify/index.js';
import { LocalSigningKey, signCompactJws } from '../../../src/platform/keys/index.js';

/**
 * Status checks as an attacker would try them: a list signed by someone else, a list of another
 * URI, an expired list, a list that is unavailable. The fetch is the caller's (here a map); the
 * list is decoded and checked by src/credentials.
 */
const ISSUER = 'https://issuer.example';
const LIST = `${ISSUER}/status/token/1`;
let issuerKey: LocalSigningKey;
let holder: LocalSigningKey;

beforeAll(async () => {
  issuerKey = await LocalSigningKey.generate('ES256');
  holder = await LocalSigningKey.generate('ES256');
});

const now = () => Math.floor(Date.now() / 1000);

async function listToken(options: {
  key?: LocalSigningKey;
  sub?: string;
  exp?: number;
  suspended?: number[];
}) {
  return signCompactJws(
    options.key ?? issuerKey,
    { typ: 'statuslist+jwt' },
    {
      sub: options.sub ?? LIST,
      iss: ISSUER,
      iat: now(),
      exp: options.exp ?? now() + 600,
      status_list: {
        bits: 2,
        lst: encodeTokenStatusList(
          16,
          2,
          (options.suspended ?? []).map((idx) => ({ idx, status: 2 })),
        ),
      },
    },
  );
}

async function statusOf(token: string | Error, idx = 3) {
  const credential = await issueSdJwtVc({
    issuerKey,
    issuer: ISSUER,
    vct: 'urn:example:1',
    claims: { given_name: 'Amara' },
    disclosable: ['given_name'],
    holderJwk: holder.publicJwk,
    iat: now(),
    status: { status_list: { idx, uri: LIST } },
  });
  const context = {
    issuerJwks: async () => ({ keys: [issuerKey.publicJwk] }),
    fetchStatusList: async (uri: string) => {
      if (token instanceof Error || uri !== LIST) throw token;
      return token;
    },
  };
  return checkStatus(await verifyCredential(credential, context), context);
}

describe('checkStatus with an IETF Token Status List', () => {
  it('reads the entry of a list signed by the issuer', async () => {
    expect(await statusOf(await listToken({}))).toEqual({ outcome: 'passed', reasons: [] });
    expect(await statusOf(await listToken({ suspended: [3] }))).toEqual({
      outcome: 'failed',
      reasons: ['suspended'],
    });
  });

  it('refuses a list signed by another key, for another URI, expired, or unavailable', async () => {
    const stranger = await LocalSigningKey.generate('ES256');
    expect(await statusOf(await listToken({ key: stranger }))).toEqual({
      outcome: 'failed',
      reasons: ['status list invalid'],
    });
    expect((await statusOf(await listToken({ sub: `${ISSUER}/status/token/2` }))).reasons).toEqual([
      'status list of another URI',
    ]);
    expect((await statusOf(await listToken({ exp: now() - 60 }))).reasons).toEqual(['status list expired']);
    expect((await statusOf(new Error('down'))).reasons).toEqual(['status list unavailable']);
    expect((await statusOf(await listToken({}), 16)).reasons).toEqual(['status list invalid']);
  });
});
