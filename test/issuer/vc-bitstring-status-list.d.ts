// The part of @digitalbazaar/vc-bitstring-status-list (plain JavaScript) the W3C status test uses.
declare module '@digitalbazaar/vc-bitstring-status-list' {
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
