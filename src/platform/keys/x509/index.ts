export {
  type CertificateOptions,
  type CertificateProfile,
  createCertificate,
  type DistinguishedName,
  jsonName,
  MDL_DS_EKU,
} from './certificate.js';
export { cryptoKeyPair, keyInterfaceCrypto, privateCryptoKey, publicCryptoKey } from './crypto-provider.js';
export { certificatesFromPem, derToPem } from './pem.js';
