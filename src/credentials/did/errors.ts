/** A DID that this resolver cannot turn into a public key (unsupported method, bad encoding). */
export class DidResolutionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DidResolutionError';
  }
}
