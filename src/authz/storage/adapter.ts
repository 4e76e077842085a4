import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { type Adapter, type AdapterPayload, errors, type Provider } from 'oidc-provider';
import type { Commit, Database } from '../../platform/db/index.js';
import { ClientAdapter } from '../clients/adapter.js';
import { ClientStore, type ClientTables } from '../clients/store.js';
import { type ModelKey, type ModelStatements, modelStatements } from './model-statements.js';
import { beforeAnswer, currentRequestWrites } from './request-writes.js';
import type { RevokedGrants } from './revoked-grants.js';

export interface OidcModelsTable {
  kind: string;
  id: string;
  /** The model's payload as oidc-provider gave it, JSON. */
  payload: string;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  /** Epoch ms; NULL = no expiry. */
  expires_at: number | null;
  /** Epoch ms of consumption (one-time artefacts: codes, PAR request objects). */
  consumed_at: number | null;
}

export interface LoginFailuresTable {
  interaction_uid: string;
  failures: number;
  expires_at: number;
}

export interface AuthzTables {
  oidc_models: OidcModelsTable;
  login_failures: LoginFailuresTable;
}

/**
 * Rows stay readable this long past their expiry so that oidc-provider can tell "expired" from "not
 * found" (it asks with `ignoreExpiration`) within its clock tolerance; the sweeper removes them after.
 */
const GRACE_MS = 15_000;

/** Artefacts that are exchanged for tokens: a second redemption must fail, even in a race. */
const ONE_TIME_GRANT_SOURCES = new Set([
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

/**
 * How the adapter's writes commit: as units of the database's group commit. On SQLite the writes of
 * one event-loop turn — a sign-in makes about fourteen, and concurrent sign-ins overlap — share one
 * fsynced `BEGIN IMMEDIATE … COMMIT` (src/platform/db/group-commit.ts); on PostgreSQL one transaction
 * on the pipelined batch connection, its statements sent without waiting for each other
 * (postgres-group-commit.ts: a unit whose statement fails is run again alone). Each caller is
 * answered only after the COMMIT, so a stored code or session is as durable as before.
 */
export function adapterWrites(database: Pick<Database<unknown>, 'dialect' | 'commit'>): Commit {
  return database.commit;
}

/**
 * The adapter's hand-prepared statements (model-statements.ts) on the database's driver: what the
 * service gives the adapter, beside adapterWrites. Without them the adapter builds every statement
 * with Kysely (the reference path the tests compare them with).
 */
export function adapterStatements(database: Pick<Database<unknown>, 'driver'>): ModelStatements {
  return modelStatements(database.driver);
}

/**
 * oidc-provider's storage contract on Kysely (SQLite or PostgreSQL). One instance per model kind;
 * every instance of the service shares the same rows, so nothing here is cached. With `statements`,
 * the hot reads and writes (find, upsert, consume, destroy) run as prepared statements instead, in
 * the same commits; the rare ones (a lost redemption, revocation) stay on Kysely.
 */
export class KyselyAdapter implements Adapter {
  constructor(
    private readonly kind: string,
    private readonly db: Kysely<AuthzTables>,
    /** Where revoked grants are listed for resource servers (the issuer's revocation feed). */
    private readonly revoked?: RevokedGrants,
    /** Runs each write (adapterWrites); without it, each statement commits on its own. */
    private readonly commit?: Commit,
    /** The prepared statements (adapterStatements) of the same database; without them, Kysely. */
    private readonly statements?: ModelStatements,
  ) {}

  /** One write statement, committed (durably) when the promise resolves. */
  private write<T>(work: (db: Kysely<AuthzTables>) => Promise<T>): Promise<T> {
    return this.commit ? this.commit<T, AuthzTables>(work) : work(this.db);
  }

  /**
   * This request's own deferred writes, of this kind (or of every kind), committed first: whatever
   * comes next must see them, in order (they are committed by a later batch of the group commit).
   */
  private async ownWritesFirst(everyKind = false): Promise<void> {
    const request = currentRequestWrites();
    if (!request) return;
    if (everyKind) await request.settled();
    else if (request.hasPending(this.kind)) await request.settled(this.kind);
  }

  /**
   * A write whose outcome the caller does not read (upsert, destroy): inside an oidc-provider
   * request, the request's answer waits for it (request-writes.ts) and the caller goes on at once;
   * elsewhere the caller waits for it, as for every other write.
   */
  private writeBeforeAnswer(work: (db: Kysely<AuthzTables>) => Promise<unknown>): Promise<void> {
    return beforeAnswer(this.kind, this.write(work));
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    const row = {
      payload: JSON.stringify(payload),
      grant_id: typeof payload.grantId === 'string' ? payload.grantId : null,
      user_code: typeof payload.userCode === 'string' ? payload.userCode : null,
      uid: typeof payload.uid === 'string' ? payload.uid : null,
      expires_at: Number.isFinite(expiresIn) && expiresIn > 0 ? Date.now() + expiresIn * 1000 : null,
    };
    const statements = this.statements;
    if (statements) {
      await this.writeBeforeAnswer((unit) =>
        statements.upsert({ kind: this.kind, id, ...row }, unit as Kysely<unknown>),
      );
      return;
    }
    await this.writeBeforeAnswer((db) =>
      db
        .insertInto('oidc_models')
        .values({ kind: this.kind, id, consumed_at: null, ...row })
        .onConflict((oc) => oc.columns(['kind', 'id']).doUpdateSet(row))
        .execute(),
    );
  }

  /**
   * Stores a record unless a live one with this id is there: true when stored. One conditional
   * write, so of two callers with one id (two requests, two workers) one wins — what oidc-provider's
   * replay detection needs and its own find-then-save does not give (see replayOnce).
   */
  async insertOnce(id: string, payload: AdapterPayload, expiresIn: number): Promise<boolean> {
    await this.ownWritesFirst();
    const now = Date.now();
    const row = {
      kind: this.kind,
      id,
      payload: JSON.stringify(payload),
      grant_id: null,
      user_code: null,
      uid: null,
      // As upsert: no positive lifetime, no expiry.
      expires_at: Number.isFinite(expiresIn) && expiresIn > 0 ? now + expiresIn * 1000 : null,
      consumed_at: null,
    };
    const statements = this.statements;
    if (statements) {
      const { consumed_at: _, ...write } = row;
      return (
        (await this.write((unit) =>
          statements.insertOnce(write, now - GRACE_MS, unit as Kysely<unknown>),
        )) === 1
      );
    }
    const { consumed_at: _, kind: __, id: ___, ...replaced } = row;
    const result = await this.write((db) =>
      db
        .insertInto('oidc_models')
        .values(row)
        // A record past its expiry (and the grace) is as good as absent: find would not see it.
        .onConflict((oc) =>
          oc
            .columns(['kind', 'id'])
            .doUpdateSet(replaced)
            .where('oidc_models.expires_at', '<=', now - GRACE_MS),
        )
        .executeTakeFirst(),
    );
    return Number(result.numInsertedOrUpdatedRows) === 1;
  }

  find(id: string): Promise<AdapterPayload | undefined> {
    return this.findBy('id', id);
  }

  findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.findBy('uid', uid);
  }

  findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.findBy('user_code', userCode);
  }

  /**
   * Marks a one-time artefact used. The update only succeeds for the first caller, so two instances
   * that race with the same authorization code cannot both redeem it (RFC 6749 §4.1.2, RFC 9700
   * §4.2.1): the loser gets invalid_grant and, as oidc-provider does on reuse, the grant is revoked.
   */
  async consume(id: string): Promise<void> {
    await this.ownWritesFirst();
    const statements = this.statements;
    const updated = statements
      ? await this.write((unit) => statements.consume(this.kind, id, Date.now(), unit as Kysely<unknown>))
      : Number(
          (
            await this.write((db) =>
              db
                .updateTable('oidc_models')
                .set({ consumed_at: Date.now() })
                .where('kind', '=', this.kind)
                .where('id', '=', id)
                .where('consumed_at', 'is', null)
                .executeTakeFirst(),
            )
          ).numUpdatedRows,
        );
    if (updated === 1) return;
    // A pushed request used twice at once (two browsers, two workers): oidc-provider checks
    // `consumed` before consuming (actions/authorization/respond.js); the loser of the race gets the
    // error that check gives, so no second code comes from one request_uri (RFC 9126 §4).
    if (this.kind === 'PushedAuthorizationRequest')
      throw new errors.InvalidRequestUri('request_uri is invalid, expired, or was already used');
    if (!ONE_TIME_GRANT_SOURCES.has(this.kind)) return;
    const row = await this.db
      .selectFrom('oidc_models')
      .select('grant_id')
      .where('kind', '=', this.kind)
      .where('id', '=', id)
      .executeTakeFirst();
    if (row?.grant_id) {
      await this.ownWritesFirst(true);
      await revokeGrant(this.db, row.grant_id, this.revoked);
    }
    throw new errors.InvalidGrant('grant request is invalid');
  }

  async destroy(id: string): Promise<void> {
    const statements = this.statements;
    if (statements) {
      await this.writeBeforeAnswer((unit) => statements.destroy(this.kind, id, unit as Kysely<unknown>));
      return;
    }
    await this.writeBeforeAnswer((db) =>
      db.deleteFrom('oidc_models').where('kind', '=', this.kind).where('id', '=', id).execute(),
    );
  }

  /**
   * oidc-provider revokes a grant model by model (helpers/revoke.js), always starting with its
   * access tokens: that call is where a revocation is listed for resource servers, before anything
   * is deleted (if the delete fails, the grant's tokens are refused all the same).
   */
  async revokeByGrantId(grantId: string): Promise<void> {
    await this.ownWritesFirst(true);
    if (this.kind === 'AccessToken') await this.revoked?.record(grantId);
    await this.db
      .deleteFrom('oidc_models')
      .where('kind', '=', this.kind)
      .where('grant_id', '=', grantId)
      .execute();
  }

  private async findBy(column: ModelKey, value: string): Promise<AdapterPayload | undefined> {
    await this.ownWritesFirst();
    const notExpiredBefore = Date.now() - GRACE_MS;
    // A prepared read unless it cannot run now (null); then, as without statements, Kysely's.
    const prepared = this.statements?.find(this.kind, column, value, notExpiredBefore);
    const row = prepared
      ? await prepared
      : await this.db
          .selectFrom('oidc_models')
          .select(['payload', 'consumed_at'])
          .where('kind', '=', this.kind)
          .where(column, '=', value)
          .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', notExpiredBefore)]))
          .executeTakeFirst();
    if (!row) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    // oidc-provider expects `consumed` as epoch seconds (its memory adapter stores it so).
    if (row.consumed_at !== null) payload.consumed = Math.floor(Number(row.consumed_at) / 1000);
    return payload;
  }
}

/**
 * Removes every artefact issued under a grant, whatever its kind (tokens, codes, the grant), after
 * listing it as revoked so that resource servers refuse its JWT access tokens too.
 */
export async function revokeGrant(
  db: Kysely<AuthzTables>,
  grantId: string,
  revoked: RevokedGrants | undefined,
): Promise<void> {
  await revoked?.record(grantId);
  await db
    .deleteFrom('oidc_models')
    .where((eb) =>
      eb.or([eb('grant_id', '=', grantId), eb.and([eb('kind', '=', 'Grant'), eb('id', '=', grantId)])]),
    )
    .execute();
}

/** The `adapter` option of oidc-provider: a factory called once per model name. */
export function kyselyAdapterFactory(
  db: Kysely<AuthzTables>,
  revoked: RevokedGrants,
  commit?: Commit,
  statements?: ModelStatements,
): (kind: string) => Adapter {
  // Clients live in their own table (authz_clients), managed by ClientStore.
  const clients = new ClientAdapter(new ClientStore(db as unknown as Kysely<ClientTables>), statements);
  return (kind) => (kind === 'Client' ? clients : new KyselyAdapter(kind, db, revoked, commit, statements));
}

/** Deletes rows past expiry (plus grace); returns how many. Run periodically by the service. */
export async function purgeExpired(db: Kysely<AuthzTables>, now = Date.now()): Promise<number> {
  const models = await db
    .deleteFrom('oidc_models')
    .where('expires_at', '<', now - GRACE_MS)
    .executeTakeFirst();
  const failures = await db.deleteFrom('login_failures').where('expires_at', '<', now).executeTakeFirst();
  return Number(models.numDeletedRows) + Number(failures.numDeletedRows);
}

/**
 * oidc-provider's `ReplayDetection.unique` (client assertion, DPoP proof and attestation jtis) is a
 * find and then a save: two requests with one jti that overlap — at one process, or at two workers
 * or instances — both find nothing and both pass. This replaces it, for one provider, by the same
 * id and record written with insertOnce: exactly one of them passes, and the others get the error
 * oidc-provider gives a replay.
 */
export function replayOnce(provider: Provider, adapter: (kind: string) => Adapter): void {
  const store = adapter('ReplayDetection');
  if (!(store instanceof KyselyAdapter)) return;
  provider.ReplayDetection.unique = async (iss: string, jti: string, exp: number) => {
    const id = createHash('sha256').update(`${iss}${jti}`).digest('base64url');
    const now = Math.floor(Date.now() / 1000);
    return store.insertOnce(id, { jti: id, iss, kind: 'ReplayDetection', iat: now, exp }, exp - now);
  };
}
