/**
 * Where a running service is in its life: `starting` until it listens, `ready` while it serves,
 * `draining` from the moment it was asked to stop (SIGTERM/SIGINT) until its listeners are closed,
 * `stopped` after. Readiness reports not-ready unless `ready`, so a load balancer takes a draining
 * instance out of rotation while it still answers the requests already on their way.
 */
export type LifecycleState = 'starting' | 'ready' | 'draining' | 'stopped';

export class Lifecycle {
  #state: LifecycleState = 'starting';

  get state(): LifecycleState {
    return this.#state;
  }

  /** True only while the service takes new work. */
  get ready(): boolean {
    return this.#state === 'ready';
  }

  get draining(): boolean {
    return this.#state === 'draining';
  }

  markReady(): void {
    if (this.#state === 'starting') this.#state = 'ready';
  }

  markDraining(): void {
    if (this.#state !== 'stopped') this.#state = 'draining';
  }

  markStopped(): void {
    this.#state = 'stopped';
  }
}
