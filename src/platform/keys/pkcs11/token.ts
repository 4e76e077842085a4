import { createHash } from 'node:crypto';
import type { Handle, PKCS11 } from 'pkcs11js';
import { KeyUnavailableError } from '../errors.js';
import { loadBinding, type Pkcs11Binding } from './binding.js';
import { describeFault, isTokenFault } from './faults.js';
import { type PinSource, readPin } from './pin.js';

export interface Pkcs11Settings {
  /** Path of the PKCS#11 module (e.g. /usr/lib/softhsm/libsofthsm2.so). */
  module: string;
  /** The token, by label (preferred: slot ids may change when tokens are added)… */
  tokenLabel?: string;
  /** …or by slot id (as `softhsm2-util --show-slots` or `pkcs11-tool -L` print it). */
  slot?: number;
  pin: PinSource;
  /** Sessions kept open for signing (concurrent signatures). Default 4. */
  sessions?: number;
  /** Retry-After of a refused signature, and the least time between reconnection attempts. Default 5. */
  retryAfterSeconds?: number;
  /** A signature the token has not answered in this time counts as a lost session. Default 5000. */
  signTimeoutMs?: number;
}

/** A key object in the token, found again after a reconnection by its CKA_ID. */
export interface TokenKeyRef {
  /** CKA_ID, hex. */
  id: string;
  /** CKA_LABEL (what an operator sees in `pkcs11-tool -O`). */
  label: string;
}

export type TokenState =
  | { status: 'ready'; since: number }
  | { status: 'unavailable'; reason: string; since: number };

interface Connection {
  generation: number;
  slot: Handle;
  idle: Handle[];
  /** Private-key handles by CKA_ID: found once per connection. */
  handles: Map<string, Handle>;
}

const CKU_USER = 1;
const CKF_SERIAL_SESSION = 4;
const CKF_RW_SESSION = 2;
/** C_Initialize flag (PKCS#11 v2.40 §5.4): the module may lock with the OS's primitives. */
const CKF_OS_LOCKING_OK = 2;
const CKO_PRIVATE_KEY = 3;
const CKA_CLASS = 0;
const CKA_ID = 0x102;
const CKR_CRYPTOKI_ALREADY_INITIALIZED = 0x191;
const CKR_USER_ALREADY_LOGGED_IN = 0x100;
const CKR_PIN_INCORRECT = 0xa0;

function slotNumber(handle: Handle): number {
  return Number(handle.length >= 8 ? handle.readBigUInt64LE() : BigInt(handle.readUInt32LE()));
}

/**
 * One HSM token reached over PKCS#11: a pool of logged-in sessions, and recovery from faults. A
 * lost session, an absent token or a refused login makes the token `unavailable`: signatures fail
 * at once with KeyUnavailableError (HTTP 503, Retry-After) — never a fall-back to another key —
 * and the next signature or readiness probe after `retryAfterSeconds` reconnects (C_Finalize,
 * C_Initialize, find the token, open sessions, log in), so signing resumes without a restart.
 * Signatures run on libuv's thread pool (C_SignAsync), not on the event loop.
 */
export class Pkcs11Token {
  private connection: Connection | undefined;
  private generation = 0;
  private stateValue: TokenState;
  private lastAttempt = 0;
  private reconnecting: Promise<void> | undefined;
  private waiters: { resolve: (session: Handle) => void; reject: (error: Error) => void }[] = [];
  /** SHA-256 of a PIN the token refused: never tried again (a token locks after a few wrong PINs). */
  private refusedPin: string | undefined;
  readonly description: string;

  private constructor(
    private readonly settings: Pkcs11Settings,
    private readonly binding: Pkcs11Binding,
    private readonly onStateChange: (state: TokenState, token: Pkcs11Token) => void,
  ) {
    const where =
      settings.tokenLabel !== undefined ? `token "${settings.tokenLabel}"` : `slot ${settings.slot}`;
    this.description = `PKCS#11 module ${settings.module}, ${where}`;
    this.stateValue = { status: 'unavailable', reason: 'not connected', since: Date.now() };
  }

  /** Connects and logs in; throws an Error naming the module and slot when it cannot (start-up fails). */
  static async open(
    settings: Pkcs11Settings,
    onStateChange: (state: TokenState, token: Pkcs11Token) => void = () => {},
  ): Promise<Pkcs11Token> {
    if ((settings.tokenLabel === undefined) === (settings.slot === undefined)) {
      throw new Error(`PKCS#11 module ${settings.module}: set exactly one of tokenLabel and slot`);
    }
    let binding: Pkcs11Binding;
    try {
      binding = await loadBinding(settings.module);
    } catch (error) {
      throw new Error(`PKCS#11 module ${settings.module}: ${(error as Error).message}`);
    }
    const token = new Pkcs11Token(settings, binding, onStateChange);
    try {
      token.connect();
    } catch (error) {
      binding.close();
      throw new Error(`${token.description}: ${(error as Error).message}`);
    }
    return token;
  }

  get label(): string {
    return this.settings.tokenLabel ?? `slot-${this.settings.slot}`;
  }

  get retryAfterSeconds(): number {
    return this.settings.retryAfterSeconds ?? 5;
  }

  state(): TokenState {
    return this.stateValue;
  }

  /**
   * For readiness: resolves when the token answers; otherwise tries to reconnect (at most once per
   * retry interval) and rejects with the reason (module, slot, PKCS#11 return value; never the PIN).
   */
  async check(): Promise<void> {
    const connection = await this.ready().catch((error: unknown) => {
      throw error instanceof KeyUnavailableError ? new Error(error.reason) : error;
    });
    try {
      const session = connection.idle[0];
      if (session) this.lib.C_GetSessionInfo(session);
      this.lib.C_GetTokenInfo(connection.slot);
    } catch (error) {
      if (!isTokenFault(error)) throw error;
      this.fail(describeFault(error), connection.generation);
      throw new Error(`${this.description}: ${describeFault(error)}`);
    }
  }

  /** Signs with the private key `ref` and a PKCS#11 mechanism (CKM_ECDSA over a digest, CKM_EDDSA). */
  async sign(ref: TokenKeyRef, mechanism: number, data: Buffer, signatureLength: number): Promise<Buffer> {
    for (let attempt = 0; ; attempt++) {
      const connection = await this.ready();
      let session: Handle | undefined;
      try {
        session = await this.acquire(connection);
        this.lib.C_SignInit(session, { mechanism }, this.privateKey(connection, session, ref));
        const signature = await this.withTimeout(
          this.lib.C_SignAsync(session, data, Buffer.alloc(signatureLength)),
        );
        this.release(connection, session);
        return signature;
      } catch (error) {
        if (error instanceof KeyUnavailableError || !isTokenFault(error)) {
          if (session) this.release(connection, session);
          throw error;
        }
        // The session is dropped, not returned: it belongs to a connection that failed.
        this.fail(describeFault(error), connection.generation);
        // One immediate reconnection for a session lost mid-run; then the caller gets a 503.
        if (attempt === 0) this.lastAttempt = 0;
        else throw this.unavailable();
      }
    }
  }

  /** A short-lived read-write session for object management (key generation, lookup by label). */
  async withSession<T>(use: (lib: PKCS11, session: Handle) => Promise<T> | T): Promise<T> {
    const connection = await this.ready();
    const session = this.lib.C_OpenSession(connection.slot, CKF_SERIAL_SESSION | CKF_RW_SESSION);
    try {
      return await use(this.lib, session);
    } finally {
      try {
        this.lib.C_CloseSession(session);
      } catch {
        // A failed session closes with its connection.
      }
    }
  }

  close(): void {
    this.connection = undefined;
    this.stateValue = { status: 'unavailable', reason: 'closed', since: Date.now() };
    for (const waiter of this.waiters.splice(0)) waiter.reject(new Error('token closed'));
    this.binding.close();
  }

  private get lib(): PKCS11 {
    return this.binding.lib;
  }

  private unavailable(): KeyUnavailableError {
    const reason = this.stateValue.status === 'unavailable' ? this.stateValue.reason : 'unavailable';
    return new KeyUnavailableError(`${this.description}: ${reason}`, this.retryAfterSeconds);
  }

  /** The live connection, reconnecting first when the token failed and the retry interval has passed. */
  private async ready(): Promise<Connection> {
    if (this.connection && this.stateValue.status === 'ready') return this.connection;
    if (this.reconnecting) {
      await this.reconnecting.catch(() => undefined);
    } else if (Date.now() - this.lastAttempt >= this.retryAfterSeconds * 1000) {
      this.reconnecting = Promise.resolve()
        .then(() => this.connect(true))
        .finally(() => {
          this.reconnecting = undefined;
        });
      await this.reconnecting.catch(() => undefined);
    }
    if (this.connection && this.stateValue.status === 'ready') return this.connection;
    throw this.unavailable();
  }

  /**
   * Finds the token, opens the session pool and logs in. A reconnection first tries on the module as
   * it is (a lost session or login); when that fails it re-initialises the module (C_Finalize,
   * C_Initialize), which is what makes a module see a token that came back.
   */
  private connect(reconnect = false): void {
    this.lastAttempt = Date.now();
    this.connection = undefined;
    try {
      try {
        this.establish(false);
      } catch (error) {
        if (!reconnect) throw error;
        this.establish(true);
      }
    } catch (error) {
      const reason = isTokenFault(error) ? describeFault(error) : (error as Error).message;
      this.setState({
        status: 'unavailable',
        reason,
        since: this.stateValue.status === 'unavailable' ? this.stateValue.since : Date.now(),
      });
      throw new Error(reason);
    }
  }

  private establish(reinitialise: boolean): void {
    const lib = this.lib;
    if (reinitialise) {
      try {
        lib.C_Finalize();
      } catch {
        // Already gone.
      }
    }
    try {
      // PKCS#11 v2.40 §5.4: without CKF_OS_LOCKING_OK the module may assume one thread at a time
      // (SoftHSM2 then takes no locks), but signatures run concurrently on the libuv thread pool.
      lib.C_Initialize({ flags: CKF_OS_LOCKING_OK });
    } catch (error) {
      if ((error as { code?: number }).code !== CKR_CRYPTOKI_ALREADY_INITIALIZED) throw error;
    }
    const slot = this.findSlot();
    const pin = readPin(this.settings.pin);
    const fingerprint = createHash('sha256').update(pin).digest('hex');
    if (fingerprint === this.refusedPin) {
      throw new Error(
        'the token refused this PIN before; it is not tried again until the PIN source changes',
      );
    }
    const sessions = Array.from({ length: this.settings.sessions ?? 4 }, () =>
      lib.C_OpenSession(slot, CKF_SERIAL_SESSION),
    );
    try {
      lib.C_Login(sessions[0] as Handle, CKU_USER, pin);
    } catch (error) {
      const code = (error as { code?: number }).code;
      if (code !== CKR_USER_ALREADY_LOGGED_IN) {
        for (const session of sessions) lib.C_CloseSession(session);
        if (code === CKR_PIN_INCORRECT) this.refusedPin = fingerprint;
        throw new Error(`login refused: ${describeFault(error)}`);
      }
    }
    this.generation += 1;
    this.connection = { generation: this.generation, slot, idle: sessions, handles: new Map() };
    this.setState({ status: 'ready', since: Date.now() });
  }

  private setState(next: TokenState): void {
    const previous = this.stateValue;
    this.stateValue = next;
    const changed =
      previous.status !== next.status ||
      (next.status === 'unavailable' && previous.status === 'unavailable' && previous.reason !== next.reason);
    const first = previous.status === 'unavailable' && previous.reason === 'not connected';
    if (changed && !first) this.onStateChange(next, this);
  }

  private findSlot(): Handle {
    const slots = this.lib.C_GetSlotList(true);
    const { tokenLabel, slot } = this.settings;
    const present: string[] = [];
    for (const handle of slots) {
      const label = this.lib.C_GetTokenInfo(handle).label.trim();
      present.push(`"${label}" (slot ${slotNumber(handle)})`);
      if (tokenLabel !== undefined ? label === tokenLabel : slotNumber(handle) === slot) return handle;
    }
    throw new Error(`the token is not present (tokens present: ${present.join(', ') || 'none'})`);
  }

  private fail(reason: string, generation: number): void {
    if (generation !== this.generation || this.stateValue.status !== 'ready') return;
    this.connection = undefined;
    this.setState({ status: 'unavailable', reason, since: Date.now() });
    const error = this.unavailable();
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }

  private acquire(connection: Connection): Promise<Handle> {
    const session = connection.idle.pop();
    if (session) return Promise.resolve(session);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private release(connection: Connection, session: Handle): void {
    if (connection.generation !== this.generation) return;
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve(session);
    else connection.idle.push(session);
  }

  private privateKey(connection: Connection, session: Handle, ref: TokenKeyRef): Handle {
    const cached = connection.handles.get(ref.id);
    if (cached) return cached;
    this.lib.C_FindObjectsInit(session, [
      { type: CKA_CLASS, value: CKO_PRIVATE_KEY },
      { type: CKA_ID, value: Buffer.from(ref.id, 'hex') },
    ]);
    const found = this.lib.C_FindObjects(session, 2);
    this.lib.C_FindObjectsFinal(session);
    if (found.length !== 1) {
      // A token without our key is the wrong token (or a restored one): a fault, not a fall-back.
      throw new KeyUnavailableError(
        `${this.description}: private key "${ref.label}" (CKA_ID ${ref.id}) is ${found.length ? 'not unique' : 'not in the token'}`,
        this.retryAfterSeconds,
      );
    }
    const handle = found[0] as Handle;
    connection.handles.set(ref.id, handle);
    return handle;
  }

  private withTimeout<T>(promise: Promise<T>): Promise<T> {
    const ms = this.settings.signTimeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(Object.assign(new Error(`no answer in ${ms} ms`), { timeout: true })),
        ms,
      );
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }
}
