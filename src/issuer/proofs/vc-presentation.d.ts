// Presentation functions of @digitalbazaar/vc that the shared declaration (src/credentials/jsonld/modules.d.ts)
// leaves out; ambient module declarations merge.
declare module '@digitalbazaar/vc' {
  type PresentationLoader = (
    url: string,
  ) => Promise<{ contextUrl: string | null; documentUrl: string; document: unknown }>;
  export function verify(options: {
    presentation: unknown;
    suite: unknown | unknown[];
    documentLoader: PresentationLoader;
    challenge: string;
    domain?: string;
    unsignedPresentation?: boolean;
    checkStatus?: (options: unknown) => Promise<{ verified: boolean }>;
  }): Promise<{ verified: boolean; error?: unknown; presentationResult?: { verified: boolean } }>;
  export function signPresentation(options: {
    presentation: Record<string, unknown>;
    suite: unknown;
    documentLoader: PresentationLoader;
    challenge: string;
    domain?: string;
  }): Promise<Record<string, unknown>>;
}
