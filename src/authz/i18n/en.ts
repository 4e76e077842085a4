import type { Messages } from './messages.js';

const CREDENTIALS: Record<string, string> = {
  national_id: 'Your national ID credential',
  insurance_policy: 'Your insurance policy credential',
  driving_licence: 'Your driving licence credential',
};

export const en: Messages = {
  languageName: 'English',
  dir: 'ltr',
  brand: 'Attesta sign-in',
  languageSwitcher: 'Language',
  continue: 'Continue',
  cancel: 'Cancel and return',
  signInTitle: 'Sign in',
  kbiIntro: (client) =>
    `${client} asks to confirm who you are. Enter your details exactly as they appear in the registry.`,
  mismatch: 'The details you entered do not match our records. Check them and try again.',
  invalidForm: 'Fill in every field in the expected format (dates as YYYY-MM-DD).',
  attemptsLeft: (n) => (n === 1 ? 'One attempt left.' : `${n} attempts left.`),
  blocked: ({ time, minutes }) =>
    `Too many failed attempts for this ID. Try again later. Sign-in is locked for now: you can try again after ${time} UTC (in about ${minutes} minute${minutes === 1 ? '' : 's'}). For your security we do not say which detail did not match.`,
  passwordMismatch: 'The individual ID or the password is not correct.',
  registryUnavailable: 'The registry cannot be reached at the moment. Try again later.',
  passwordIntro: (client) => `${client} asks to confirm who you are. Enter your individual ID and password.`,
  passwordLabel: 'Password',
  otpIntro: (client) =>
    `${client} asks to confirm who you are. Enter your individual ID: we will send a one-time code to the contact details the registry holds for you.`,
  otpSend: 'Send code',
  otpSentTo: (masked, minutes) => `We sent a 6-digit code to ${masked}. It expires in ${minutes} minutes.`,
  otpCodeLabel: 'One-time code',
  otpCodeHint: '6 digits',
  otpVerify: 'Verify',
  otpResend: 'Send a new code',
  otpResendWait: (s) => `You can ask for a new code in ${s} seconds.`,
  otpExpired: 'This code has expired. Ask for a new one.',
  otpWrong: 'This code is not correct.',
  otpNoMoreSends: 'No more codes can be sent for this sign-in.',
  otpMailSubject: 'Your Attesta sign-in code',
  otpMailText: (code, minutes) =>
    `Your sign-in code is ${code}. It expires in ${minutes} minutes. If you did not ask for it, ignore this message.`,
  consentTitle: 'Share your information',
  consentIntro: (client) => `${client} asks for the following:`,
  essential: 'required',
  voluntary: 'optional',
  consentAllow: 'Allow',
  consentDeny: 'Deny',
  consentRemember: (days) => `Your choice is remembered for ${days} days.`,
  claims: {
    sub: 'Your identifier',
    name: 'Full name',
    given_name: 'Given name',
    family_name: 'Family name',
    birthdate: 'Date of birth',
    gender: 'Gender',
    email: 'E-mail address',
    phone_number: 'Phone number',
    address: 'Postal address',
  },
  scopeLabel: (scope) => CREDENTIALS[scope] ?? `Access: ${scope}`,
  expiredTitle: 'Sign-in request expired',
  expiredMessage:
    'This sign-in request has expired or was already completed. Return to the service you came from and start again.',
  crossSiteTitle: 'Form sent from another site',
  crossSiteMessage:
    'This form did not come from our sign-in pages, so nothing was done. Return to the service you came from and start again.',
  errorTitle: 'Request not accepted',
  errorMessage:
    'This sign-in request could not be processed. Return to the service you came from and try again.',
  logoutTitle: 'Sign out',
  logoutQuestion: (client) => `Do you want to sign out of ${client}?`,
  logoutYes: 'Sign out',
  logoutNo: 'Stay signed in',
  loggedOutTitle: 'Signed out',
  loggedOutMessage: 'You have been signed out. You can close this window.',
  outboxTitle: 'Development outbox',
  outboxEmpty: 'No messages yet.',
};
