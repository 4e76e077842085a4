/** A one-time code (or other notice) to one person over one channel. */
export interface Notification {
  channel: 'email' | 'phone';
  /** The full address or number (personal data: never logged). */
  to: string;
  subject: string;
  text: string;
}

/** Delivers notifications; implementations say which channels they can reach. */
export interface Notifier {
  readonly channels: ReadonlySet<'email' | 'phone'>;
  send(notification: Notification): Promise<void>;
  close(): Promise<void>;
}
