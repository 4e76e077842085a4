import type { Kysely } from 'kysely';
import { type Commit, transactionPerUnit } from '../../platform/db/index.js';
import { ProtocolError } from '../../platform/errors.js';
import type { CredentialConfiguration } from '../configurations/index.js';
import type { FormatDocument, SignInput, StatusReference } from '../formats/types.js';
import { type Ledger, type LedgerTables, newCredentialId } from '../ledger/index.js';
import { credentialsIssued } from '../metrics.js';
import { type DataProviders, lookupKey, ProviderError } from '../providers/index.js';
import {
  type AllocatedEntry,
  type StatusAllocator,
  type StatusTables,
  statusPlan,
  statusReference,
} from '../status/index.js';
import { TemplateError, templateOf, toDocument } from '../templates/index.js';
import type { IssuanceTables } from './database.js';
import type { PipelineSigner } from './signing.js';
import type { IssuanceOutcome, IssuanceRequest, IssuanceService } from './types.js';

const HOUR = 3600;
/** Attempts when an allocated status entry turns out recorded already (a reservation lost in a crash). */
const TAKEN_INDEX_RETRIES = 5;

/** An allocated (list, seq) was recorded already: the issuance allocates again. */
class IndexTaken extends Error {}

export interface PipelineDeps {
  db: Kysely<IssuanceTables>;
  providers: DataProviders;
  signer: PipelineSigner;
  allocator: StatusAllocator;
  ledger: Ledger;
  /** How the issuing transaction becomes durable (the database's group commit in a service). */
  commit?: Commit;
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
 * The issuance pipeline: data provider → template → status entries allocated → signatures → one
 * transaction (the caller's writes such as nonce consumption and the notification, the status
 * entries, the ledger rows). Nothing is written before that transaction, and nothing leaves before
 * it committed: no ledger row is ever half-written, no credential leaves unrecorded, and a failed
 * issuance keeps its nonce.
 */
export class IssuancePipeline implements IssuanceService {
  private readonly clock: () => number;
  private readonly commit: Commit;

  constructor(private readonly deps: PipelineDeps) {
    this.clock = deps.clock ?? Date.now;
    this.commit = deps.commit ?? transactionPerUnit(deps.db as Kysely<unknown>);
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

    const plan = configuration.status === false ? [] : statusPlan(configuration);
    const ids = request.holderJwks.map(() => newCredentialId(document.kind === 'w3c'));
    const unsigned: Omit<SignInput, 'holderJwk' | 'document' | 'status'> = {
      configuration,
      validFrom,
      validUntil,
    };
    for (let attempt = 1; ; attempt++) {
      // 1. Status entries, from this process's reserved range (no read, no transaction held while signing).
      const entries: AllocatedEntry[][] = [];
      for (let i = 0; i < ids.length; i++) {
        const row: AllocatedEntry[] = [];
        for (const p of plan) row.push(await this.deps.allocator.allocate(p.kind, p.purpose));
        entries.push(row);
      }
      try {
        // 2. Signatures.
        const credentials: (string | Record<string, unknown>)[] = [];
        for (const [i, holderJwk] of request.holderJwks.entries()) {
          const status: StatusReference[] = (entries[i] ?? []).map((e) =>
            statusReference(this.deps.issuer, e),
          );
          const doc: FormatDocument = document.kind === 'w3c' ? { ...document, id: ids[i] } : document;
          credentials.push(
            await this.deps.signer
              .sign({ ...unsigned, document: doc, holderJwk, status: status.length ? status : undefined })
              .catch((error: unknown) => {
                throw this.signingError(configuration, error);
              }),
          );
        }
        // 3. One transaction: the caller's writes, the status entries and the ledger rows of the whole
        //    batch — all recorded, or none and nothing handed out.
        await this.commit(async (trx) => {
          await request.alsoCommit?.(trx, ids);
          for (const [i, id] of ids.entries()) {
            for (const entry of entries[i] ?? []) {
              if (!(await this.deps.allocator.claim(trx as Kysely<StatusTables>, entry, id)))
                throw new IndexTaken();
            }
            await this.deps.ledger.record(trx as Kysely<LedgerTables>, {
              id,
              configurationId: configuration.id,
              format: configuration.format,
              subject: request.subject.sub,
              statusRefs: (entries[i] ?? []).map((e) => ({
                listId: e.listId,
                idx: e.idx,
                purpose: e.purpose,
              })),
              issuedAt: validFrom.getTime(),
              expiresAt: validUntil.getTime(),
              attributes,
            });
          }
        });
        credentialsIssued.inc({ configuration: configuration.id, format: configuration.format }, ids.length);
        return { kind: 'issued', credentials, credentialIds: ids };
      } catch (error) {
        // Nothing was recorded: the entries go back to the allocator (not after IndexTaken: one of them
        // is recorded already, and they are simply left unused).
        if (error instanceof IndexTaken) {
          if (attempt < TAKEN_INDEX_RETRIES) continue;
        } else this.deps.allocator.release(entries.flat());
        throw error;
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
