import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { ProtocolError } from '../../platform/errors.js';
import type { CredentialConfiguration } from '../configurations/index.js';
import type { FormatDocument, StatusReference } from '../formats/types.js';
import type { Ledger, LedgerTables } from '../ledger/index.js';
import { credentialsIssued } from '../metrics.js';
import { type DataProviders, lookupKey, ProviderError } from '../providers/index.js';
import {
  type AllocatedEntry,
  type StatusAllocator,
  StatusListFull,
  type StatusListKind,
  type StatusPurpose,
  type StatusTables,
  statusPlan,
  statusReference,
} from '../status/index.js';
import { TemplateError, templateOf, toDocument } from '../templates/index.js';
import type { IssuanceTables } from './database.js';
import type { PipelineSigner } from './signing.js';
import type { IssuanceOutcome, IssuanceRequest, IssuanceService } from './types.js';

const HOUR = 3600;
/** Attempts when a status list turns out full mid-issuance (a new list is opened in between). */
const FULL_LIST_RETRIES = 5;

export interface PipelineDeps {
  db: Kysely<IssuanceTables>;
  providers: DataProviders;
  signer: PipelineSigner;
  allocator: StatusAllocator;
  ledger: Ledger;
  issuer: string;
  /** Default credential validity in seconds (`issuer.credentialTtl`). */
  credentialTtl: number;
  clock?: () => number;
  log?: { error(object: object, message: string): void };
}

/**
 * The end of validity, capped by the record's own end (`validUntilClaim`, a YYYY-MM-DD date or an
 * ISO date-time): the day after a date, in UTC, so the cap stays on the hour (unlinkability).
 */
export function cappedValidity(
  configuration: CredentialConfiguration,
  rendered: unknown,
  validUntil: Date,
  validFrom: Date,
): Date {
  if (!configuration.validUntilClaim) return validUntil;
  const value = attributeAt(rendered, configuration.validUntilClaim);
  const day = value && /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!day) {
    throw new ProtocolError(
      400,
      'credential_request_denied',
      `configuration ${configuration.id}: ${configuration.validUntilClaim} is not a date`,
    );
  }
  const end = new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]) + 1));
  if (end.getTime() <= validFrom.getTime() + HOUR * 1000) {
    throw new ProtocolError(
      400,
      'credential_request_denied',
      'the record this credential attests has expired',
    );
  }
  return end < validUntil ? end : validUntil;
}

/** A rendered value at a dotted path; namespaces with dots (mdoc) are matched as whole keys. */
export function attributeAt(tree: unknown, dotted: string): string | undefined {
  if (dotted === '') return typeof tree === 'string' || typeof tree === 'number' ? String(tree) : undefined;
  if (typeof tree !== 'object' || tree === null) return undefined;
  for (const key of Object.keys(tree).sort((a, b) => b.length - a.length)) {
    if (dotted === key || dotted.startsWith(`${key}.`)) {
      const found = attributeAt((tree as Record<string, unknown>)[key], dotted.slice(key.length + 1));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/**
 * The issuance pipeline: data provider → template → status entries → signatures → ledger rows. A
 * provider or template failure stops before anything is written; a failure while signing or
 * recording removes the reserved entries, and the ledger rows of a batch are written in one
 * transaction, so no ledger row is ever half-written and no credential leaves unrecorded.
 */
export class IssuancePipeline implements IssuanceService {
  private readonly clock: () => number;

  constructor(private readonly deps: PipelineDeps) {
    this.clock = deps.clock ?? Date.now;
  }

  async issue(request: IssuanceRequest): Promise<IssuanceOutcome> {
    const { configuration } = request;
    if (!this.deps.signer.supports(configuration.format)) {
      throw new ProtocolError(
        400,
        'unsupported_credential_format',
        `format ${configuration.format} is not issued yet`,
      );
    }
    const claims = { ...request.subject.claims, sub: request.subject.sub };
    const now = this.clock();
    let rendered: Record<string, unknown>;
    // An offer's claims are the credential's claims already (checked against the configuration when
    // the offer was made); the template maps data-provider records, so it is not applied to them.
    if (request.offeredClaims) rendered = structuredClone(request.offeredClaims);
    else {
      const answer = await this.lookup(configuration, claims);
      if (answer.kind === 'pending') return { kind: 'pending', interval: answer.interval };
      rendered = await this.render(configuration, answer.record, claims, new Date(now));
    }
    const document = toDocument(configuration, rendered);

    // RFC 9901 §10.1: a precise issuance time links credentials; round to the hour, validity never shortened.
    const seconds = Math.floor(now / 1000);
    const validFrom = new Date((seconds - (seconds % HOUR)) * 1000);
    const ttl = configuration.validity ?? this.deps.credentialTtl;
    const validUntil = cappedValidity(
      configuration,
      rendered,
      new Date(Math.ceil((seconds + ttl) / HOUR) * HOUR * 1000),
      validFrom,
    );
    const attributes: Record<string, string> = {};
    for (const path of configuration.ledgerIndex ?? []) {
      const value = attributeAt(rendered, path);
      if (value !== undefined) attributes[path] = value;
    }

    const plan = configuration.status === false ? [] : statusPlan(configuration.format);
    const ids = request.holderJwks.map(() => `urn:uuid:${randomUUID()}`);
    try {
      // 1. Status entries, reserved one insert each (autocommit): no transaction is held while
      //    signing, which may itself read keys (and SQLite has a single connection).
      const entries: AllocatedEntry[][] = [];
      for (const id of ids)
        entries.push(await Promise.all(plan.map((p) => this.reserve(p.kind, p.purpose, id))));
      // 2. Signatures.
      const credentials: (string | Record<string, unknown>)[] = [];
      for (const [i, holderJwk] of request.holderJwks.entries()) {
        const status: StatusReference[] = (entries[i] ?? []).map((e) => statusReference(this.deps.issuer, e));
        const doc: FormatDocument = document.kind === 'w3c' ? { ...document, id: ids[i] } : document;
        credentials.push(
          await this.deps.signer
            .sign({
              configuration,
              document: doc,
              holderJwk,
              validFrom,
              validUntil,
              status: status.length ? status : undefined,
            })
            .catch((error: unknown) => {
              throw this.signingError(configuration, error);
            }),
        );
      }
      // 3. The ledger rows of the whole batch, at once: either all are recorded or none.
      await this.deps.db.transaction().execute(async (trx) => {
        for (const [i, id] of ids.entries()) {
          await this.deps.ledger.record(trx as unknown as Kysely<LedgerTables>, {
            id,
            configurationId: configuration.id,
            format: configuration.format,
            subject: request.subject.sub,
            statusRefs: (entries[i] ?? []).map((e) => ({ listId: e.listId, idx: e.idx, purpose: e.purpose })),
            issuedAt: validFrom.getTime(),
            expiresAt: validUntil.getTime(),
            attributes,
          });
        }
      });
      credentialsIssued.inc({ configuration: configuration.id, format: configuration.format }, ids.length);
      return { kind: 'issued', credentials, credentialIds: ids };
    } catch (error) {
      // Nothing was handed out: the reservations go. (Were this to fail too, an orphan entry only
      // burns an index, which is never reused either way.)
      await this.deps.db
        .deleteFrom('issuer_status_entries')
        .where('credential_id', 'in', ids)
        .execute()
        .catch(() => undefined);
      throw error;
    }
  }

  /** One random free index in the current list of a kind/purpose; a full list is retired and another opened. */
  private async reserve(kind: StatusListKind, purpose: StatusPurpose, credentialId: string) {
    const db = this.deps.db as unknown as Kysely<StatusTables>;
    for (let attempt = 1; ; attempt++) {
      const listId = await this.deps.allocator.prepare(kind, purpose);
      try {
        return await this.deps.allocator.allocate(db, listId, kind, purpose, credentialId);
      } catch (error) {
        if (!(error instanceof StatusListFull) || attempt >= FULL_LIST_RETRIES) throw error;
        await this.deps.allocator.markFull(error.listId);
      }
    }
  }

  /**
   * A document the format refuses (FormatError) or a context the offline loader does not allow is a
   * configuration problem: said plainly, naming the configuration. Anything else stays a server error.
   */
  private signingError(configuration: CredentialConfiguration, error: unknown): unknown {
    const name = (error as Error)?.name;
    if (name !== 'FormatError' && name !== 'DocumentLoaderError') return error;
    this.deps.log?.error(
      { configuration: configuration.id, reason: (error as Error).message },
      'signing refused',
    );
    return new ProtocolError(
      400,
      'credential_request_denied',
      `configuration ${configuration.id} cannot be signed: ${(error as Error).message.slice(0, 200)}`,
    );
  }

  private async lookup(configuration: CredentialConfiguration, claims: Record<string, unknown>) {
    const key = lookupKey(configuration.provider, claims);
    if (key === undefined) {
      throw new ProtocolError(
        400,
        'credential_request_denied',
        `the access token lacks the claim ${configuration.provider?.key ?? 'sub'} that configuration ${configuration.id} looks records up by`,
      );
    }
    let answer: Awaited<ReturnType<ReturnType<DataProviders['for']>['lookup']>>;
    try {
      answer = await this.deps.providers.for(configuration.provider).lookup(key);
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      this.deps.log?.error(
        { configuration: configuration.id, reason: error.message },
        'data provider failed',
      );
      throw new ProtocolError(
        503,
        'temporarily_unavailable',
        `the data provider of configuration ${configuration.id} is unavailable: ${error.message}`,
        { 'retry-after': '30' },
      );
    }
    if (answer.kind === 'missing') {
      // As the foundation answered for an unknown registry subject (the request names nobody we know).
      throw new ProtocolError(
        400,
        'invalid_credential_request',
        `no record for this subject in the data of configuration ${configuration.id}`,
      );
    }
    return answer;
  }

  private async render(
    configuration: CredentialConfiguration,
    record: Record<string, unknown>,
    token: Record<string, unknown>,
    now: Date,
  ): Promise<Record<string, unknown>> {
    try {
      return await templateOf(configuration).render(record, { token, now });
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      this.deps.log?.error({ configuration: configuration.id, reason: error.message }, 'template failed');
      throw new ProtocolError(400, 'credential_request_denied', error.message);
    }
  }
}
