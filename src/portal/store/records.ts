// What the portal keeps sealed between two requests of one person (SealedStore), by the routes that write it.

/** An issuance whose proof the browser signs: what the credential request needs, sealed at rest. */
export interface PendingIssuance {
  issuer: string;
  configurationId: string;
  accessToken: string;
  /** Sealed DPoP key of the flow when the token is DPoP-bound. */
  dpopKey: string | undefined;
  nonce: string | undefined;
  /** The ID token's `sub`, kept for a wallet offer. */
  subject?: string;
  /** Nonce rounds already made: the browser is sent round once more at most. */
  attempts?: number;
}

/** A credential behind a one-time QR link. */
export interface Retrieval {
  credential: string;
  mediaType: string;
}
