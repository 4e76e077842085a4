import type { Kysely } from 'kysely';
import type { Config } from '../../platform/config/index.js';
import type { SignInTables } from '../storage/sign-in-tables.js';
import type { Notifier } from './notifier.js';
import { OutboxNotifier } from './outbox.js';
import { SmtpNotifier } from './smtp.js';

export type { Notification, Notifier } from './notifier.js';
export { OutboxNotifier } from './outbox.js';
export { SmtpNotifier } from './smtp.js';

/** The notifier the configuration selects; the outbox only in development mode. */
export function createNotifier(config: Config, db: Kysely<SignInTables>): Notifier {
  const { notify } = config.authz.login;
  if (notify.transport === 'smtp') {
    if (!notify.smtp) throw new Error('configuration: authz.login.notify.smtp: required by transport "smtp"');
    return new SmtpNotifier({ ...notify.smtp, from: notify.from });
  }
  if (config.mode !== 'development') {
    throw new Error('configuration: authz.login.notify.transport: "outbox" is for development mode only');
  }
  return new OutboxNotifier(db);
}
