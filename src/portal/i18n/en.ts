/** Every text the portal shows, in English; `fr.ts` and `ar.ts` have the same shape. */
export const en = {
  languageName: 'English',
  skipLink: 'Skip to content',
  languageNav: 'Language',
  footer: 'Credentials are issued with OpenID for Verifiable Credential Issuance.',
  home: 'Attesta',
  verifyNav: 'Verify a credential',

  catalogTitle: 'Credentials',
  catalogHeading: 'Get a digital credential',
  catalogLead:
    'Choose a credential. You sign in to prove who you are, then you can view the credential, download it or add it to your wallet.',
  searchLabel: 'Search credentials',
  searchButton: 'Search',
  searchResults: (n: number, q: string) => `${n} result${n === 1 ? '' : 's'} for “${q}”`,
  noResults: 'No credential matches your search.',
  noTypes: 'The issuer offers no credentials at the moment.',
  issuerUnavailable: 'This issuer cannot be reached at the moment.',
  getCredential: (name: string) => `Get ${name}`,
  bindToBrowser: (name: string) => `Get ${name}, bound to this browser`,
  issuedBy: (issuer: string) => `Issued by ${issuer}`,
  otherFormats: 'Other formats',
  otherFormatsHint: 'Only if a service asks you for one of these formats:',
  formatNames: {
    sdJwt: 'For EU wallets (SD-JWT)',
    jwtVc: 'W3C verifiable credential (JWT)',
    ldpVc: 'W3C verifiable credential (JSON-LD)',
    mdl: 'Mobile driving licence (ISO mdoc)',
    mdoc: 'Mobile document (ISO mdoc)',
    other: 'Another format',
  },

  resultLead: (issuer: string, issued: string | undefined, until: string | undefined) =>
    `Issued by ${issuer}${issued ? ` on ${issued}` : ''}${until ? `, valid until ${until}` : ''}. The signature and every claim below were verified.`,
  disclosedHeading: 'What a verifier sees',
  disclosedText:
    'This SD-JWT credential discloses claims one by one. Claims marked “selectable” are shown to a verifier only when you choose to reveal them; the others are always visible.',
  selectable: 'selectable',
  alwaysVisible: 'always visible',
  pdfQrInline:
    'This QR code holds the credential itself, compressed. Scan it with a verifier, or upload this PDF to the verify page.',
  pdfQrLink: (until: string) =>
    `This QR code is a one-time link to the credential, valid until ${until} (UTC).`,
  pdfUncovered: 'A ? stands for a character this PDF’s fonts cannot draw; the QR code holds the exact value.',
  qrHeading: 'QR code',
  downloadsHeading: 'Take it with you',
  downloadRaw: 'Download the credential',
  downloadJson: 'Download as JSON',
  downloadPdf: 'Download as PDF with QR code',
  anotherCredential: 'Get another credential',
  resultNote: 'This page and the downloads are available for a short time, in this browser only.',
  boundToBrowser: 'This credential is bound to a key kept in this browser; the server never held it.',
  yes: 'Yes',
  no: 'No',
  genders: {
    female: 'Female',
    male: 'Male',
    other: 'Other',
    unknown: 'Not known',
    notApplicable: 'Not applicable',
  },
  photo: 'Photo',

  bindTitle: 'Binding the credential to this browser',
  bindText:
    'This browser creates a key that cannot be exported and signs the request. The page continues by itself in a moment.',
  bindNoScript:
    'Binding to this browser needs JavaScript. Please enable it, or get the credential without binding.',
  bindContinue: 'Continue',
  bindFailed: 'This browser could not create or use a key.',

  verifyTitle: 'Verify a credential',
  verifyLead:
    'Upload a credential file, the PDF from this portal, or a picture of its QR code. Nothing is kept after the check.',
  verifyFile: 'Credential, PDF or QR code image',
  verifyText: 'Or paste the credential',
  verifyButton: 'Verify',
  verifyValid: 'The credential is valid',
  verifyInvalid: 'The credential is not valid',
  verifyWarning: 'The credential is genuine, but look closer',
  verifyValidText: (issuer: string) => `Issued by ${issuer}. Its signature and status are checked.`,
  verifyExpiresSoon: (date: string) => `It expires soon, on ${date}.`,
  verifyReasons: {
    revoked: 'The issuer has revoked it: it no longer counts.',
    suspended:
      'The issuer has suspended it for now: it does not count until the issuer lifts the suspension.',
    expired: 'It has expired.',
    notYetValid: 'It is not valid yet.',
    unknownIssuer: 'It comes from an issuer this portal does not trust.',
    signature: 'Its signature does not match: it was changed or forged.',
    malformed: 'It is damaged or not a credential this portal can read.',
    unavailable: 'A check could not be made just now (the issuer could not be reached). Try again later.',
    other: 'It did not pass a check (see the technical details).',
  },
  claimsHeading: 'What it says',
  technicalDetails: 'Technical details',
  detailFormat: 'Format',
  detailIssuerId: 'Issuer identifier',
  detailReasons: 'Reasons given by the checks',
  checkSignature: 'Signature',
  checkIssuer: 'Issuer',
  checkValidity: 'Validity period',
  checkStatus: 'Status',
  checkPassed: 'passed',
  checkFailed: 'failed',
  checkSkipped: 'not checked',
  verifyNothing: 'No credential was found in what you sent.',
  verifyAnother: 'Verify another credential',

  walletHeading: 'Add to your wallet',
  walletText:
    'Scan this code with your wallet app. It receives the same credential, bound to a key of its own.',
  walletTxCode: 'Transaction code to type in your wallet',
  walletQrAlt: 'QR code of the credential offer for your wallet',
  walletSameDevice: 'Open in a wallet on this device',
  walletExpires: (until: string) => `The offer can be used once, until ${until} (UTC).`,
  walletBack: 'Back to the credential',
  walletButton: 'Add to wallet',

  backHome: 'Back to the credentials',
  reference: 'Reference',
  lockedUntil: (time: string, minutes: number) =>
    `You can try again after ${time} UTC (in about ${minutes} minute${minutes === 1 ? '' : 's'}).`,
  lockedNow:
    'You can start again now. Check your details carefully: after more failed attempts, sign-in is locked for a while.',
  errors: {
    issuer_metadata: [
      'The credential issuer is not available',
      'We could not reach the credential issuer just now. Please try again in a few minutes.',
    ],
    authorization_server: [
      'The sign-in service is not available',
      'We could not reach the sign-in service just now. Please try again in a few minutes.',
    ],
    authorization: [
      'Sign-in did not complete',
      'The sign-in service reported a problem with the request. Please start again.',
    ],
    token: [
      'Sign-in could not be confirmed',
      'The sign-in service did not confirm your sign-in. Please start again.',
    ],
    nonce: [
      'The credential could not be requested',
      'The credential issuer could not prepare the request. Please start again.',
    ],
    credential: [
      'The credential was not issued',
      'The credential issuer refused to issue the credential. Please start again.',
    ],
    verification: [
      'The credential could not be verified',
      'The credential received from the issuer did not pass our checks, so it is not shown.',
    ],
    expired: [
      'This sign-in has expired',
      'We could not match this sign-in to a request from this browser: it may have expired, been used already or started in another browser. Please start again.',
    ],
    cancelled: [
      'Sign-in cancelled',
      'You cancelled the sign-in, so no credential was issued. You can start again at any time.',
    ],
    denied: [
      'You did not agree to share your details',
      'You chose not to share your details with this portal, so no credential was issued. You can start again at any time.',
    ],
    locked: [
      'Sign-in is locked for now',
      'There were too many failed sign-in attempts. For your security we do not say which detail did not match.',
    ],
    pageNotFound: [
      'Page not found',
      'There is no page at this address. Check the address, or go back to the credentials.',
    ],
    notFound: [
      'Not found',
      'There is nothing here, or it is no longer available. Credentials are kept only for a short time and only for the browser that obtained them.',
    ],
    crossSite: [
      'Form sent from another site',
      'This form did not come from our pages, so nothing was done. Start again from the portal.',
    ],
    tooMany: ['Too many requests', 'Please wait a minute before trying again.'],
    busy: [
      'Busy right now',
      'Many people are using this service at this moment. Please try again in a few seconds.',
    ],
    badRequest: ['Request not understood', 'The address you followed is not valid.'],
    internal: ['Something went wrong', 'An unexpected error occurred on our side. Please try again.'],
  },
};

export type Messages = typeof en;
