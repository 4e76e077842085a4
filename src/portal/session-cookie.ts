import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../platform/config/index.js';

/**
 * The secret that signs the session cookie: `portal.sessionSecret`, or one generated into the data
 * folder (0600) on first start. Several instances must be configured with the same secret.
 */
export function loadSessionSecret(config: Config): string {
  if (config.portal.sessionSecret) return config.portal.sessionSecret;
  const file = join(config.dataDir, 'portal-session.secret');
  try {
    if (statSync(file).mode & 0o077) chmodSync(file, 0o600);
    const text = readFileSync(file, 'utf8').trim();
    if (text.length >= 32) return text;
    throw new Error(`${file}: session secret too short`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  try {
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadSessionSecret(config);
    throw error;
  }
  return secret;
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
