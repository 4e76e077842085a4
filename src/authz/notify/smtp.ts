import nodemailer, { type Transporter } from 'nodemailer';
import type { Notification, Notifier } from './notifier.js';

export interface SmtpOptions {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  pass?: string;
  from: string;
}

/** E-mail through an SMTP relay (nodemailer). Phones cannot be reached this way. */
export class SmtpNotifier implements Notifier {
  readonly channels = new Set<'email' | 'phone'>(['email']);
  private readonly transport: Transporter;

  constructor(private readonly options: SmtpOptions) {
    this.transport = nodemailer.createTransport({
      host: options.host,
      port: options.port,
      secure: options.secure,
      auth: options.user ? { user: options.user, pass: options.pass ?? '' } : undefined,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
  }

  async send(notification: Notification): Promise<void> {
    if (notification.channel !== 'email') throw new Error('SMTP delivers e-mail only');
    await this.transport.sendMail({
      from: this.options.from,
      to: notification.to,
      subject: notification.subject,
      text: notification.text,
    });
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
