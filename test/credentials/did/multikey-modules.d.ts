// The parts of Digital Bazaar's multikey packages (plain JavaScript) the interop test uses.
declare module '@digitalbazaar/ecdsa-multikey' {
  interface KeyPair {
    export(options: { publicKey: boolean }): Promise<{ publicKeyMultibase: string }>;
  }
  export function fromJwk(options: { jwk: object }): Promise<KeyPair>;
  export function from(options: { publicKeyMultibase: string }): Promise<KeyPair>;
  export function toJwk(options: { keyPair: KeyPair }): Promise<Record<string, unknown>>;
}
declare module '@digitalbazaar/ed25519-multikey' {
  interface KeyPair {
    export(options: { publicKey: boolean }): Promise<{ publicKeyMultibase: string }>;
  }
  export function fromJwk(options: { jwk: object }): Promise<KeyPair>;
  export function from(options: { publicKeyMultibase: string }): Promise<KeyPair>;
  export function toJwk(options: { keyPair: KeyPair }): Promise<Record<string, unknown>>;
}
