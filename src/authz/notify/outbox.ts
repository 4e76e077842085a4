import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { maskEmail, maskPhone } from '../factors/otp.js';
import type { SignInTables } from '../storage/sign-in-tables.js';
import type { Notification, Notifier } from './notifier.js';

/** Messages stay in the development outbox for an hour. */
const KEEP_MS = 60 * 60 * 1000;

export interface OutboxMessage {
  id: string;
  createdAt: number;
  channel: string;
  recipient: string;
  subject: string;
  body: string;
}

/**
 * Development delivery: each message is written to the console and to a table that
 * `/dev/outbox` lists on localhost. Never used outside development mode (the service refuses it).
 */
export class OutboxNotifier implements Notifier {
  readonly channels = new Set<'email' | 'phone'>(['email', 'phone']);

  constructor(
    private readonly db: Kysely<SignInTables>,
    private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {}

  async send(notification: Notification): Promise<void> {
    const now = Date.now();
    await this.db
      .insertInto('authz_dev_outbox')
      .values({
        id: randomUUID(),
        created_at: now,
        channel: notification.channel,
        recipient: notification.to,
        subject: notification.subject,
        body: notification.text,
        expires_at: now + KEEP_MS,
      })
      .execute();
    // The console shows the destination masked (logs outlive the demo); /dev/outbox shows it whole.
    const to = notification.channel === 'email' ? maskEmail(notification.to) : maskPhone(notification.to);
    this.write(`[authz dev outbox] ${notification.channel} to ${to}: ${notification.text}`);
  }

  /** The newest messages first. */
  async list(limit = 50): Promise<OutboxMessage[]> {
    const rows = await this.db
      .selectFrom('authz_dev_outbox')
      .selectAll()
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      createdAt: Number(r.created_at),
      channel: r.channel,
      recipient: r.recipient,
      subject: r.subject,
      body: r.body,
    }));
  }

  async close(): Promise<void> {}
}
