import type { Kysely } from 'kysely';
import { requireFormat, type StatusReference, w3cDataModel } from '../../credentials/formats/index.js';
import { TOKEN_STATUS } from '../../credentials/status/index.js';
import type { CredentialConfiguration } from '../configurations/index.js';
import type { LedgerStatusRef } from '../ledger/ledger.js';
import type { LedgerTables } from '../ledger/tables.js';
import { statusChanges } from '../metrics.js';
import { StatusPermutationMismatch } from './allocator.js';
import type { StatusPermutations } from './permutation.js';
import type { StatusListKind, StatusPurpose, StatusTables } from './tables.js';

export type CredentialStatus = 'valid' | 'suspended' | 'revoked';

/** IETF Token Status List values (§7.1): 0x00 VALID, 0x01 INVALID, 0x02 SUSPENDED. */
const TOKEN_VALUE: Record<CredentialStatus, number> = {
  valid: TOKEN_STATUS.valid,
  revoked: TOKEN_STATUS.invalid,
  suspended: TOKEN_STATUS.suspended,
};

export class StatusChangeError extends Error {
  constructor(
    readonly code: 'not_found' | 'conflict',
    message: string,
  ) {
    super(message);
    this.name = 'StatusChangeError';
  }
}

/**
 * Which lists a credential of a configuration gets an entry in. A token status list entry says
 * valid, revoked or suspended by itself; a bitstring entry has one purpose (Bitstring Status List
 * §2.1), so revocation always and suspension when the configuration asks for it (by default for
 * VCDM 2.0 only: VCDM 1.1 verifiers read one `credentialStatus` object).
 */
export function statusPlan(
  configuration: Pick<CredentialConfiguration, 'format' | 'dataModel' | 'suspension'>,
): { kind: StatusListKind; purpose: StatusPurpose }[] {
  const format = requireFormat(configuration.format);
  if (format.statusList === 'bitstring-status-list') {
    const suspension = configuration.suspension ?? w3cDataModel(configuration) === '2.0';
    return [
      { kind: 'bitstring', purpose: 'revocation' },
      ...(suspension ? [{ kind: 'bitstring' as const, purpose: 'suspension' as const }] : []),
    ];
  }
  return [{ kind: 'token', purpose: 'status' }];
}

export function statusListUrl(issuer: string, kind: StatusListKind, listId: string): string {
  return `${issuer}/status/${kind}/${listId}`;
}

/** The reference a signer puts in the credential for one allocated entry. */
export function statusReference(
  issuer: string,
  entry: { listId: string; idx: number; kind: StatusListKind; purpose: StatusPurpose },
): StatusReference {
  const uri = statusListUrl(issuer, entry.kind, entry.listId);
  if (entry.kind === 'token') return { kind: 'token-status-list', idx: entry.idx, uri };
  return {
    kind: 'bitstring-status-list',
    id: `${uri}#${entry.idx}`,
    statusPurpose: entry.purpose as 'revocation' | 'suspension',
    statusListIndex: String(entry.idx),
    statusListCredential: uri,
  };
}

type Tables = StatusTables & LedgerTables;

/**
 * Revocation and suspension. A change writes the entries, the ledger row and bumps each touched
 * list's version in one transaction; the status endpoint compares versions on every request, so
 * the served list shows the change at once (and caches hold it for seconds, not minutes).
 *
 * A credential's entries are found through its ledger row (`status_refs`: list and index), each
 * entry by its key (list, seq): seq = idx in a list allocated by draws (before migration 0102), the
 * list's inverse permutation of idx otherwise (`StatusPermutations`).
 */
export class StatusChanger {
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly permutations: StatusPermutations,
  ) {}

  /** The seq of a list's entry at `idx`, undefined when the list has no such index. */
  private seqOf(
    list: { id: string; size: number; next_seq: number | null; permutation_tag: string | null },
    idx: number,
  ): number | undefined {
    if (!Number.isInteger(idx) || idx < 0 || idx >= list.size) return undefined;
    if (list.next_seq === null) return idx;
    // Another master key's list: its entries cannot be found by index here. Said to the operator as a
    // conflict (409 from the admin API, a message from the CLI), not a server error.
    if (list.permutation_tag !== this.permutations.tag(list.id))
      throw new StatusChangeError('conflict', new StatusPermutationMismatch(list.id).message);
    return this.permutations.seqOf(list.id, list.size, idx);
  }

  async byCredential(
    credentialId: string,
    target: CredentialStatus,
  ): Promise<{ previous: CredentialStatus }> {
    const changed = await this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('issuer_ledger')
        .select(['status', 'status_refs'])
        .where('id', '=', credentialId)
        .executeTakeFirst();
      if (!row) throw new StatusChangeError('not_found', 'no credential with this id');
      const previous = row.status;
      // The guarded update takes the row lock first, so concurrent changes to one credential queue
      // up, and a revocation is final even when a reinstatement races it.
      let update = trx.updateTable('issuer_ledger').set({ status: target }).where('id', '=', credentialId);
      if (target !== 'revoked') update = update.where('status', '!=', 'revoked');
      if (Number((await update.executeTakeFirst()).numUpdatedRows) === 0) {
        throw new StatusChangeError('conflict', 'a revoked credential cannot be reinstated');
      }
      const refs = JSON.parse(row.status_refs) as LedgerStatusRef[];
      const entries: {
        list_id: string;
        seq: number;
        status: number;
        kind: StatusListKind;
        purpose: StatusPurpose;
      }[] = [];
      for (const ref of refs) {
        const list = await trx
          .selectFrom('issuer_status_lists')
          .select(['id', 'kind', 'purpose', 'size', 'next_seq', 'permutation_tag'])
          .where('id', '=', ref.listId)
          .executeTakeFirst();
        const seq = list && this.seqOf(list, ref.idx);
        if (!list || seq === undefined) continue;
        const entry = await trx
          .selectFrom('issuer_status_entries')
          .select(['status', 'credential_id'])
          .where('list_id', '=', list.id)
          .where('seq', '=', seq)
          .executeTakeFirst();
        // The row is the credential's own (the ledger and the entry were written in one transaction).
        if (entry?.credential_id !== credentialId) continue;
        entries.push({ list_id: list.id, seq, status: entry.status, kind: list.kind, purpose: list.purpose });
      }
      if (entries.length === 0) throw new StatusChangeError('conflict', 'the credential has no status entry');
      // Throwing here rolls the ledger change back with the transaction.
      if (target === 'suspended' && !entries.some((e) => e.kind === 'token' || e.purpose === 'suspension')) {
        throw new StatusChangeError(
          'conflict',
          'the credential has no suspension entry (its configuration issues revocation only)',
        );
      }
      for (const entry of entries) {
        let value = entry.status;
        if (entry.kind === 'token') value = TOKEN_VALUE[target];
        else if (entry.purpose === 'revocation') value = target === 'revoked' ? 1 : 0;
        else if (entry.purpose === 'suspension') value = target === 'suspended' ? 1 : 0;
        if (value === entry.status) continue;
        await trx
          .updateTable('issuer_status_entries')
          .set({ status: value, updated_at: Date.now() })
          .where('list_id', '=', entry.list_id)
          .where('seq', '=', entry.seq)
          .execute();
        await trx
          .updateTable('issuer_status_lists')
          .set((eb) => ({ version: eb('version', '+', 1) }))
          .where('id', '=', entry.list_id)
          .execute();
      }
      return { previous };
    });
    statusChanges.inc({ status: target });
    return changed;
  }

  /** By list and index: the credential that holds the entry. */
  async byListIndex(
    listId: string,
    idx: number,
    target: CredentialStatus,
  ): Promise<{ credentialId: string; previous: CredentialStatus }> {
    const list = await this.db
      .selectFrom('issuer_status_lists')
      .select(['id', 'size', 'next_seq', 'permutation_tag'])
      .where('id', '=', listId)
      .executeTakeFirst();
    const seq = list && this.seqOf(list, idx);
    const entry =
      seq === undefined
        ? undefined
        : await this.db
            .selectFrom('issuer_status_entries')
            .select('credential_id')
            .where('list_id', '=', listId)
            .where('seq', '=', seq)
            .executeTakeFirst();
    if (!entry) throw new StatusChangeError('not_found', 'no credential holds this list entry');
    const { previous } = await this.byCredential(entry.credential_id, target);
    return { credentialId: entry.credential_id, previous };
  }
}
