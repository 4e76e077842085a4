import type { Transporter } from 'nodemailer';
import { onFirstUse } from '../../platform/on-first-use.js';
import type { Notification, Notifier } from './notifier.js';

export interface SmtpOptions {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  pass?: string;
  from: string;
}

/** nodemailer loads with the first e-mail sent, not at start: most deployments send none (outbox, OTP off). */
const mailer = onFirstUse(() => import('nodemailer'));

/** E-mail through an SMTP relay (nodemailer). Phones cannot be reached this way. */
export class SmtpNotifier implements Notifier {
  readonly channels = new Set<'email' | 'phone'>(['email']);
  private transport?: Promise<Transporter>;

  constructor(private readonly options: SmtpOptions) {}

  private connect(): Promise<Transporter> {
    const { options } = this;
    this.transport ??= mailer().then(({ default: nodemailer }) =>
      nodemailer.createTransport({
        host: options.host,
        port: options.port,
        secure: options.secure,
        auth: options.user ? { user: options.user, pass: options.pass ?? '' } : undefined,
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 20_000,
      }),
    );
    return this.transport;
  }

  async send(notification: Notification): Promise<void> {
    if (notification.channel !== 'email') throw new Error('SMTP delivers e-mail only');
    await (await this.connect()).sendMail({
      from: this.options.from,
      to: notification.to,
      subject: notification.subject,
      text: notification.text,
    });
  }

  async close(): Promise<void> {
    (await this.transport)?.close();
  }
}
