import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { ProtocolError } from '../../platform/errors.js';
import type { CredentialConfiguration } from '../configurations/index.js';
import type { FormatDocument, StatusReference } from '../formats/types.js';
import type { Ledger, LedgerTables } from '../ledger/index.js';
import { type DataProviders, lookupKey, ProviderError } from '../providers/index.js';
import {
  type StatusAllocator,
  StatusListFull,
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
 * The issuance pipeline: data provider → template → (status entries, signature, ledger row in one
 * transaction). A provider or template failure stops before anything is written; a failure while
 * signing rolls the transaction back, so no ledger row or status entry is ever left half-written.
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
    let record: Record<string, unknown>;
    if (request.offeredClaims) record = request.offeredClaims;
    else {
      const answer = await this.lookup(configuration, claims);
      if (answer.kind === 'pending') return { kind: 'pending', interval: answer.interval };
      record = answer.record;
    }
    const now = this.clock();
    const rendered = await this.render(configuration, record, claims, new Date(now));
    const document = toDocument(configuration, rendered);

    // RFC 9901 §10.1: a precise issuance time links credentials; round to the hour, validity never shortened.
    const seconds = Math.floor(now / 1000);
    const validFrom = new Date((seconds - (seconds % HOUR)) * 1000);
    const ttl = configuration.validity ?? this.deps.credentialTtl;
    const validUntil = new Date(Math.ceil((seconds + ttl) / HOUR) * HOUR * 1000);
    const attributes: Record<string, string> = {};
    for (const path of configuration.ledgerIndex ?? []) {
      const value = attributeAt(rendered, path);
      if (value !== undefined) attributes[path] = value;
    }

    for (let attempt = 1; ; attempt++) {
      const plan = configuration.status === false ? [] : statusPlan(configuration.format);
      const lists = await Promise.all(plan.map((p) => this.deps.allocator.prepare(p.kind, p.purpose)));
      try {
        return await this.deps.db.transaction().execute(async (trx) => {
          const credentials: (string | Record<string, unknown>)[] = [];
          const credentialIds: string[] = [];
          for (const holderJwk of request.holderJwks) {
            const id = `urn:uuid:${randomUUID()}`;
            const entries = [];
            for (const [i, p] of plan.entries()) {
              entries.push(
                await this.deps.allocator.allocate(
                  trx as unknown as Kysely<StatusTables>,
                  lists[i] as string,
                  p.kind,
                  p.purpose,
                  id,
                ),
              );
            }
            const status: StatusReference[] = entries.map((e) => statusReference(this.deps.issuer, e));
            const doc: FormatDocument = document.kind === 'w3c' ? { ...document, id } : document;
            credentials.push(
              await this.deps.signer.sign({
                configuration,
                document: doc,
                holderJwk,
                validFrom,
                validUntil,
                status: status.length ? status : undefined,
              }),
            );
            await this.deps.ledger.record(trx as unknown as Kysely<LedgerTables>, {
              id,
              configurationId: configuration.id,
              format: configuration.format,
              subject: request.subject.sub,
              statusRefs: entries.map((e) => ({ listId: e.listId, idx: e.idx, purpose: e.purpose })),
              issuedAt: validFrom.getTime(),
              expiresAt: validUntil.getTime(),
              attributes,
            });
            credentialIds.push(id);
          }
          return { kind: 'issued' as const, credentials, credentialIds };
        });
      } catch (error) {
        if (!(error instanceof StatusListFull) || attempt >= FULL_LIST_RETRIES) throw error;
        await this.deps.allocator.markFull(error.listId);
      }
    }
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
