import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../platform/config/index.js';
import type { MasterKey } from '../platform/keys/index.js';

/**
 * The secret that signs the session cookie: `portal.sessionSecret`, or else derived from the master
 * key, so every instance that shares the master key (as it must, to read stored credentials) agrees.
 */
export function sessionSecret(config: Config, masterKey: MasterKey): string {
  return config.portal.sessionSecret || masterKey.derive('portal session cookie').toString('base64url');
}

/**
 * The cookie that binds a browser to its portal session. httpOnly, SameSite=Lax (it must come
 * along on the top-level redirect back from the sign-in service), Secure and `__Host-` prefixed on
 * https (RFC 6265bis §4.1.3.2).
 */
export class SessionCookie {
  readonly name: string;
  private readonly options: CookieSerializeOptions;

  constructor(config: Config) {
    const secure = config.portal.publicUrl.startsWith('https://');
    this.name = secure ? '__Host-attesta_portal' : 'attesta_portal';
    this.options = { httpOnly: true, sameSite: 'lax', secure, path: '/', signed: true };
  }

  read(request: FastifyRequest): string | undefined {
    const raw = request.cookies[this.name];
    if (!raw) return undefined;
    const unsigned = request.unsignCookie(raw);
    return unsigned.valid && unsigned.value ? unsigned.value : undefined;
  }

  set(reply: FastifyReply, value: string): void {
    reply.setCookie(this.name, value, this.options);
  }
}
