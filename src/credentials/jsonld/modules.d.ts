// Type declarations for the untyped JSON-LD / Data Integrity packages, limited to what we call.

declare module '@digitalbazaar/credentials-context' {
  export const contexts: Map<string, object>;
  export const named: Map<string, { id: string; context: object }>;
}
declare module '@digitalbazaar/data-integrity-context' {
  const module: { contexts: Map<string, object> };
  export default module;
}
declare module '@digitalbazaar/multikey-context' {
  const module: { contexts: Map<string, object> };
  export default module;
}
declare module '@digitalbazaar/vc-bitstring-status-list-context' {
  export const contexts: Map<string, object>;
}

declare module 'jsonld' {
  export type RemoteDocument = { contextUrl: string | null; documentUrl: string; document: unknown };
  export type DocumentLoader = (url: string) => Promise<RemoteDocument>;
  const jsonld: {
    canonize(input: unknown, options: Record<string, unknown>): Promise<string>;
    toRDF(input: unknown, options: Record<string, unknown>): Promise<unknown>;
    expand(input: unknown, options: Record<string, unknown>): Promise<unknown[]>;
  };
  export default jsonld;
}

declare module 'rdf-canonize' {
  export function canonize(dataset: unknown, options: Record<string, unknown>): Promise<string>;
}

/** A Data Integrity cryptosuite object (`{name, canonize, createVerifier, requiredAlgorithm}`). */
interface DataIntegrityCryptosuite {
  name: string;
  requiredAlgorithm: string | string[];
  canonize(input: unknown, options: Record<string, unknown>): Promise<string>;
  createVerifier(options: { verificationMethod: unknown }): Promise<unknown>;
}

declare module '@digitalbazaar/eddsa-rdfc-2022-cryptosuite' {
  export const cryptosuite: DataIntegrityCryptosuite;
}
declare module '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite' {
  export const cryptosuite: DataIntegrityCryptosuite;
}
declare module '@digitalbazaar/eddsa-jcs-2022-cryptosuite' {
  export function createSignCryptosuite(): DataIntegrityCryptosuite;
  export function createVerifyCryptosuite(): DataIntegrityCryptosuite;
}

/** The `signer` object the suites call: we wrap our SigningKey in one. */
interface DataIntegritySigner {
  id: string;
  algorithm: string;
  sign(input: { data: Uint8Array }): Promise<Uint8Array>;
}

declare module '@digitalbazaar/data-integrity' {
  export class DataIntegrityProof {
    constructor(options: {
      signer?: DataIntegritySigner;
      cryptosuite: DataIntegrityCryptosuite;
      date?: Date | string;
      legacyContext?: boolean;
    });
  }
}
declare module '@digitalbazaar/ed25519-signature-2020' {
  export class Ed25519Signature2020 {
    constructor(options?: {
      signer?: DataIntegritySigner;
      date?: Date | string;
      canonizeOptions?: Record<string, unknown>;
    });
    static CONTEXT_URL: string;
    static CONTEXT: object;
  }
}

declare module '@digitalbazaar/vc' {
  type Loader = (
    url: string,
  ) => Promise<{ contextUrl: string | null; documentUrl: string; document: unknown }>;
  export function issue(options: {
    credential: Record<string, unknown>;
    suite: unknown;
    documentLoader: Loader;
    now?: Date | string;
  }): Promise<Record<string, unknown>>;
  export function verifyCredential(options: {
    credential: unknown;
    suite: unknown | unknown[];
    documentLoader: Loader;
    now?: Date | string;
    checkStatus?: (options: unknown) => Promise<{ verified: boolean }>;
  }): Promise<{ verified: boolean; error?: unknown; results?: unknown[] }>;
  export const defaultDocumentLoader: Loader;
}
