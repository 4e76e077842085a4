// The parts of @digitalbazaar/vc-bitstring-status-list (plain JavaScript) that we and our tests use.
declare module '@digitalbazaar/vc-bitstring-status-list' {
  export class BitstringStatusList {
    constructor(options: { length: number } | { buffer: Uint8Array });
    readonly length: number;
    setStatus(index: number, status: boolean): void;
    getStatus(index: number): boolean;
    /** `u` + base64url(gzip(bits)). */
    encode(): Promise<string>;
  }
  export function checkStatus(options: {
    credential: unknown;
    documentLoader: (
      url: string,
    ) => Promise<{ contextUrl: string | null; documentUrl: string; document: unknown }>;
    suite: unknown;
    verifyBitstringStatusListCredential?: boolean;
    verifyMatchingIssuers?: boolean;
  }): Promise<{ verified: boolean; error?: Error; results?: unknown[] }>;
}
