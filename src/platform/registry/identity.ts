/** A person as the identity registry knows them. Every field but the id and name is optional. */
export interface Identity {
  individualId: string;
  fullName: string;
  givenName?: string;
  familyName?: string;
  /** ISO 8601 date, YYYY-MM-DD. */
  birthDate: string;
  gender?: string;
  email?: string;
  phone?: string;
  address?: { streetAddress?: string; locality?: string; postalCode?: string; country?: string };
  nationality?: string;
  /** scrypt hash for password sign-in (`scrypt$N$r$p$salt$hash`, base64url); never released as a claim. */
  passwordHash?: string;
}

/** The identity registry both authz (to authenticate) and the issuer (to fill credentials) read. */
export interface IdentityRegistry {
  findByIndividualId(individualId: string): Promise<Identity | undefined>;
  close(): Promise<void>;
}
