import { onFirstUse } from '../../../platform/on-first-use.js';

/**
 * ldp_vc's signing and verifying code with what it loads (jsonld, rdf-canonize, the @digitalbazaar
 * suites and contexts: several MB of memory), imported with the first ldp_vc credential or Bitstring
 * Status List credential signed or verified, not when a service starts (docs/decisions.md). Issuance
 * needs contexts only (the proof's verification method is not dereferenced): one loader for it.
 */
export const ldpSigning = onFirstUse(async () => {
  const [{ issueLdpVc }, { createDocumentLoader }] = await Promise.all([
    import('./issue.js'),
    import('../../jsonld/document-loader.js'),
  ]);
  return { issueLdpVc, loader: createDocumentLoader() };
});

export const ldpVerifying = onFirstUse(async () => {
  const [{ verifyLdpVc }, { createDocumentLoader }] = await Promise.all([
    import('./verify.js'),
    import('../../jsonld/document-loader.js'),
  ]);
  return { verifyLdpVc, createDocumentLoader };
});
