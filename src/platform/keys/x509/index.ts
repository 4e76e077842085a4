export {
  type CertificateOptions,
  type CertificateProfile,
  createCertificate,
  type DistinguishedName,
  jsonName,
  MDL_DS_EKU,
} from './certificate.js';
export {
  type CertificateExpiry,
  type ChainCheck,
  ChainError,
  type ChainUse,
  certificateExpiry,
  certificateSummary,
  validateChain,
} from './chain.js';
export { cryptoKeyPair, keyInterfaceCrypto, privateCryptoKey, publicCryptoKey } from './crypto-provider.js';
export { type CsrOptions, createCsr } from './csr.js';
export { certificatesFromPem, derToPem } from './pem.js';
