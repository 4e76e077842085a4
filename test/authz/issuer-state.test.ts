import { beforeEach, describe, expect, it } from 'vitest';
import {
  IssuerStateStore,
  type IssuerStateTables,
  issuerStateClaims,
  issuerStateParam,
} from '../../src/authz/protocol/issuer-state.js';
import { authzMigrations } from '../../src/authz/storage/migrations.js';
import { migratedDatabaseForEachTest } from '../helpers/database-hooks.js';
import { DIALECTS } from '../helpers/databases.js';

const ISSUER = 'https://issuer.example';

const CASES = DIALECTS.flatMap((d) => [
  { ...d, writes: 'statements on their own' },
  { ...d, writes: "units of the database's commit" },
]);

describe.each(CASES)(
  'issuer_state kept per grant on $dialect, writes as $writes',
  ({ dialect, create, writes }) => {
    const database = migratedDatabaseForEachTest<IssuerStateTables>(
      { dialect, create },
      'authz',
      authzMigrations,
    );
    let now = 1_000_000;
    const store = () =>
      new IssuerStateStore(
        database.db,
        60,
        () => now,
        writes === 'statements on their own' ? undefined : database.commit,
      );

    beforeEach(() => {
      now = 1_000_000;
    });

    it('two instances share it; a later authorization replaces or clears it; it expires with the grant', async () => {
      const one = store();
      const two = store();
      await one.save('g1', 'state-A');
      expect(await two.find('g1')).toBe('state-A');
      await two.save('g1', 'state-B');
      expect(await one.find('g1')).toBe('state-B');
      await one.save('g1', undefined);
      expect(await two.find('g1')).toBeUndefined();
      await one.save('g2', 'state-C');
      now += 60_000;
      expect(await two.find('g2')).toBeUndefined();
      expect(await two.purgeExpired()).toBe(0);
      now += 1;
      expect(await two.purgeExpired()).toBe(1);
    });

    it('the claim goes only into access tokens for the issuer, from their grant', async () => {
      const states = store();
      await states.save('g1', 'state-A');
      const claims = issuerStateClaims(states, [ISSUER, `${ISSUER}/draft13`]);
      expect(await claims({}, { kind: 'AccessToken', grantId: 'g1', aud: ISSUER })).toEqual({
        issuer_state: 'state-A',
      });
      expect(await claims({}, { kind: 'AccessToken', grantId: 'g1', aud: [`${ISSUER}/draft13`] })).toEqual({
        issuer_state: 'state-A',
      });
      expect(
        await claims({}, { kind: 'AccessToken', grantId: 'g1', aud: 'https://other.example' }),
      ).toBeUndefined();
      expect(await claims({}, { kind: 'AccessToken', grantId: 'g1' })).toBeUndefined();
      expect(await claims({}, { kind: 'ClientCredentials', aud: ISSUER })).toBeUndefined();
      expect(await claims({}, { kind: 'AccessToken', grantId: 'g2', aud: ISSUER })).toBeUndefined();
    });
  },
);

describe('issuer_state parameter validation', () => {
  it('accepts absent and unreserved values up to 128 characters, refuses the rest with invalid_request', async () => {
    await expect(issuerStateParam.issuer_state({}, undefined)).resolves.toBeUndefined();
    await expect(issuerStateParam.issuer_state({}, 'aZ09._~-'.repeat(16))).resolves.toBeUndefined();
    for (const bad of ['', 'a'.repeat(129), 'a b', 'a%20', 'é', ['a', 'b']]) {
      await expect(issuerStateParam.issuer_state({}, bad)).rejects.toMatchObject({
        error: 'invalid_request',
        error_description: 'issuer_state is malformed',
      });
    }
  });
});
