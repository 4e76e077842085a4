/**
 * Keeps the last successful result of a fetch for `ttlMs`, then fetches again. Failures are not
 * cached, so an issuer that comes back is seen at the next request. Concurrent callers share one
 * fetch in flight.
 */
export class TtlCache<T> {
  private value: { data: T; expires: number } | undefined;
  private inflight: Promise<T> | undefined;

  constructor(
    private readonly load: () => Promise<T>,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<T> {
    if (this.value && this.value.expires > this.now()) return this.value.data;
    this.inflight ??= this.load()
      .then((data) => {
        this.value = { data, expires: this.now() + this.ttlMs };
        return data;
      })
      .finally(() => {
        this.inflight = undefined;
      });
    return this.inflight;
  }

  /** Forgets the cached value (e.g. an unknown signing key: the issuer may have rotated). */
  invalidate(): void {
    this.value = undefined;
  }
}
