/** Why a credential was refused; `message` is short, fixed text (never credential content). */
export class CredentialVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialVerificationError';
  }
}
