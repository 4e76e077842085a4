/**
 * Where each key of a purpose stands at a moment, from its row alone (so every instance reading
 * the shared table agrees, without a scheduler):
 * - `pending`: created by a rotation, published (JWKS, did:web, jwt-vc-issuer), not yet signing —
 *   verifiers that cache the old key set learn it during this lead time;
 * - `signing`: the newest active key whose activation time has come;
 * - `retired`: superseded (a newer key activated) or retired by hand; still published while anything
 *   it signed is valid (`signed_until`, at least `floorMs` after retirement);
 * - `expired`: retired and nothing it signed is valid any more: no longer published;
 * - `revoked`: compromised; never published, never signs.
 */
export type KeyState = 'pending' | 'signing' | 'retired' | 'expired' | 'revoked';

export interface KeyTimes {
  kid: string;
  status: 'active' | 'retired' | 'revoked';
  created_at: number | string;
  activates_at: number | string | null;
  retired_at: number | string | null;
  signed_until: number | string | null;
}

export interface Lifecycle {
  state: KeyState;
  activatesAt: number;
  retiredAt?: number;
  /** When a retired key leaves the published set. */
  publishedUntil?: number;
}

export interface PurposeLifecycle {
  byKid: Map<string, Lifecycle>;
  signingKid?: string;
  /** The next moment a state changes (an activation, a retired key dropping out), for caches. */
  nextChange?: number;
}

const num = (value: number | string | null | undefined) => (value == null ? undefined : Number(value));

export function isPublished(state: KeyState): boolean {
  return state === 'pending' || state === 'signing' || state === 'retired';
}

export function lifecycleOf(rows: readonly KeyTimes[], now: number, floorMs: number): PurposeLifecycle {
  const byKid = new Map<string, Lifecycle>();
  const changes: number[] = [];
  const activation = (row: KeyTimes) => num(row.activates_at) ?? Number(row.created_at);
  const active = rows
    .filter((row) => row.status === 'active')
    .sort(
      (a, b) =>
        activation(b) - activation(a) ||
        Number(b.created_at) - Number(a.created_at) ||
        (a.kid < b.kid ? -1 : 1),
    );
  const retire = (row: KeyTimes, retiredAt: number) => {
    const publishedUntil = Math.max(num(row.signed_until) ?? 0, retiredAt + floorMs);
    if (publishedUntil > now) changes.push(publishedUntil);
    byKid.set(row.kid, {
      state: publishedUntil > now ? 'retired' : 'expired',
      activatesAt: activation(row),
      retiredAt,
      publishedUntil,
    });
  };
  let signingKid: string | undefined;
  let newerActivation: number | undefined;
  for (const row of active) {
    const at = activation(row);
    if (at > now) {
      byKid.set(row.kid, { state: 'pending', activatesAt: at });
      changes.push(at);
    } else if (signingKid === undefined) {
      signingKid = row.kid;
      byKid.set(row.kid, { state: 'signing', activatesAt: at });
      newerActivation = at;
    } else {
      retire(row, newerActivation ?? at);
      newerActivation = at;
    }
  }
  for (const row of rows) {
    if (row.status === 'retired') retire(row, num(row.retired_at) ?? Number(row.created_at));
    if (row.status === 'revoked') byKid.set(row.kid, { state: 'revoked', activatesAt: activation(row) });
  }
  return { byKid, signingKid, nextChange: changes.length ? Math.min(...changes) : undefined };
}
