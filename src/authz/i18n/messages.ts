/** Every text of the authz pages, per language. Functions take values already in plain text. */
export interface Messages {
  languageName: string;
  dir: 'ltr' | 'rtl';
  brand: string;
  languageSwitcher: string;
  continue: string;
  cancel: string;
  signInTitle: string;
  kbiIntro(client: string): string;
  mismatch: string;
  invalidForm: string;
  attemptsLeft(n: number): string;
  /** The lockout message: when the lock ends, never which answer was wrong. */
  blocked: (lock: { time: string; minutes: number }) => string;
  registryUnavailable: string;
  passwordMismatch: string;
  passwordIntro(client: string): string;
  passwordLabel: string;
  otpIntro(client: string): string;
  otpSend: string;
  otpSentTo(masked: string, minutes: number): string;
  otpCodeLabel: string;
  otpCodeHint: string;
  otpVerify: string;
  otpResend: string;
  otpResendWait(seconds: number): string;
  otpExpired: string;
  otpWrong: string;
  otpNoMoreSends: string;
  otpMailSubject: string;
  otpMailText(code: string, minutes: number): string;
  consentTitle: string;
  consentIntro(client: string): string;
  essential: string;
  voluntary: string;
  consentAllow: string;
  consentDeny: string;
  consentRemember(days: number): string;
  claims: Record<string, string>;
  scopeLabel(scope: string): string;
  expiredTitle: string;
  expiredMessage: string;
  /** A form posted from another site (src/platform/origin-check.ts). */
  crossSiteTitle: string;
  crossSiteMessage: string;
  errorTitle: string;
  errorMessage: string;
  logoutTitle: string;
  logoutQuestion(client: string): string;
  logoutYes: string;
  logoutNo: string;
  loggedOutTitle: string;
  loggedOutMessage: string;
  outboxTitle: string;
  outboxEmpty: string;
}
