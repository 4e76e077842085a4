import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { type Interaction, type InteractionResult, Provider } from 'oidc-provider';
import { describe, expect, it } from 'vitest';
import { submitResult } from '../../src/authz/interactions/result.js';

/**
 * submitResult (src/authz/interactions/result.ts) against oidc-provider's own interactionResult:
 * two identical interactions, a result stored on each, one way each; the stored interactions and
 * the returned destinations must be the same.
 */
const provider = new Provider('http://localhost:3001', {
  cookies: { keys: ['interaction-result-test'] },
  features: { devInteractions: { enabled: false } },
});
const models = provider as unknown as {
  Interaction: {
    new (uid: string, payload: Record<string, unknown>): Interaction;
    find(uid: string): Promise<(Interaction & Record<string, unknown>) | undefined>;
  };
  createContext(
    req: IncomingMessage,
    res: ServerResponse,
  ): { cookies: { set(n: string, v: string, o: { signed: boolean }): void } };
  cookieName(type: string): string;
};

async function storedInteraction(uid: string): Promise<void> {
  const interaction = new models.Interaction(uid, {
    returnTo: `http://localhost:3001/auth/${uid}`,
    prompt: { name: 'consent', reasons: ['op_scopes_missing'], details: { missingOIDCScope: ['openid'] } },
    params: { client_id: 'shop', scope: 'openid', prompt: 'consent' },
    // Keys a result may or may not carry over (merged or not).
    lastSubmission: {
      login: { accountId: 'person', acr: 'urn:test', amr: ['kba'], ts: 1_700_000_000 },
      select_account: {},
    },
    session: undefined,
  });
  await interaction.save(600);
}

/** A request carrying the browser's signed interaction cookie for `uid`, as oidc-provider set it. */
function browserRequest(uid: string): { req: IncomingMessage; res: ServerResponse } {
  const setter = new IncomingMessage(new Socket());
  const setterResponse = new ServerResponse(setter);
  models
    .createContext(setter, setterResponse)
    .cookies.set(models.cookieName('interaction'), uid, { signed: true });
  const cookies = ([setterResponse.getHeader('set-cookie') ?? []].flat() as string[]).map(
    (header) => header.split(';')[0],
  );
  const req = new IncomingMessage(new Socket());
  req.headers.cookie = cookies.join('; ');
  return { req, res: new ServerResponse(req) };
}

const stored = async (uid: string) => {
  const { jti: _jti, uid: _uid, returnTo, ...rest } = (await models.Interaction.find(uid)) ?? {};
  return { ...rest, returnTo: String(returnTo).replace(uid, '<uid>') };
};

const CASES: { name: string; result: InteractionResult; merge?: boolean }[] = [
  { name: 'a login, not merged', result: { login: { accountId: 'person', acr: 'urn:test' } }, merge: false },
  { name: 'a consent, merged with the last submission', result: { consent: { grantId: 'g1' } } },
  {
    name: 'an error, merge asked (never merged)',
    result: { error: 'access_denied', error_description: 'no' },
  },
];

describe('storing an interaction result on the interaction the request loaded', () => {
  it.each(CASES)('stores what oidc-provider stores and answers its destination: $name', async (c) => {
    await storedInteraction('library');
    await storedInteraction('ours');
    const options = c.merge === undefined ? undefined : { mergeWithLastSubmission: c.merge };
    const { req, res } = browserRequest('library');
    const expected = await provider.interactionResult(req, res, c.result, options);
    const loaded = await provider.interactionDetails(
      ...(Object.values(browserRequest('ours')) as [IncomingMessage, ServerResponse]),
    );
    const actual = await submitResult(loaded, c.result, options);
    expect(actual.replace('ours', '<uid>')).toBe(expected.replace('library', '<uid>'));
    const [libraryRow, ourRow] = [await stored('library'), await stored('ours')];
    // Stored a second or so apart at most: the expiry may differ by that.
    expect(Math.abs(Number(ourRow.exp) - Number(libraryRow.exp))).toBeLessThanOrEqual(1);
    expect({ ...ourRow, exp: 0 }).toEqual({ ...libraryRow, exp: 0 });
    expect(ourRow.result).toBeDefined();
  });
});
