/**
 * Which check of a credential failed: its signature (or structure), its issuer (not trusted, or a
 * chain to no trusted root), or only its validity period (the signature held).
 */
export type FailedCheck = 'signature' | 'issuer' | 'validity';

/** Why a credential was refused; `message` is short, fixed text (never credential content). */
export class CredentialVerificationError extends Error {
  constructor(
    message: string,
    readonly check: FailedCheck = 'signature',
  ) {
    super(message);
    this.name = 'CredentialVerificationError';
  }
}

/** The issuer's keys could not be had (the key lookup passed in failed); `cause` is its error. */
export class IssuerKeysUnavailable extends CredentialVerificationError {
  constructor(override readonly cause: unknown) {
    super('issuer keys unavailable');
    this.name = 'IssuerKeysUnavailable';
  }
}

/**
 * The credential is not valid at the time asked (expired, not yet valid), its signature aside.
 * `validFrom` is when it starts to be valid, so a caller may read it as of then, to show it.
 */
export class CredentialValidityError extends CredentialVerificationError {
  constructor(
    message: string,
    readonly validFrom?: Date,
  ) {
    super(message, 'validity');
    this.name = 'CredentialValidityError';
  }
}
