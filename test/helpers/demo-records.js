// The inputs the benches and the tests that check the same issuance sign: plain JavaScript, so that
// bench/load/raw.js (run by plain node, no TypeScript loader) reads them too; typed for TypeScript
// callers in demo-records.d.ts.

/**
 * Amara Okafor's national_id_sd_jwt claims as the demo renders them
 * (config/demo/configurations/national_id_sd_jwt.json): `issuing_country` stays in the clear.
 */
export const NATIONAL_ID_CLAIMS = {
  given_name: 'Amara',
  family_name: 'Okafor',
  birthdate: '1970-03-13',
  gender: 'female',
  address: { street_address: '13 Harbour Road', locality: 'Lagos', postal_code: '19494', country: 'NG' },
  nationalities: ['NG'],
  email: 'amara.okafor@example.org',
  phone_number: '+99798935572',
  issuing_country: 'XA',
};

/** Its 12 disclosable paths (RFC 9901 §4.2): seven members, the address and its four members. */
export const NATIONAL_ID_DISCLOSABLE = [
  ['given_name'],
  ['family_name'],
  ['birthdate'],
  ['gender'],
  ['address'],
  ['address', 'street_address'],
  ['address', 'locality'],
  ['address', 'postal_code'],
  ['address', 'country'],
  ['nationalities'],
  ['email'],
  ['phone_number'],
];

/** The mDL document type and the namespace of its data elements (ISO/IEC 18013-5). */
export const MDL_DOCTYPE = 'org.iso.18013.5.1.mDL';
export const MDL_NAMESPACE = 'org.iso.18013.5.1';

/** Ten elements of an mDL in MDL_NAMESPACE, the mandatory ones of §7.2.1 but the portrait. */
export const MDL_ELEMENTS = {
  family_name: 'Okafor',
  given_name: 'Amara',
  birth_date: '1970-03-13',
  issue_date: '2021-01-15',
  expiry_date: '2031-01-14',
  issuing_country: 'XA',
  issuing_authority: 'Attesta Road Authority',
  document_number: 'DL880000',
  driving_privileges: [{ vehicle_category_code: 'B' }],
  un_distinguishing_sign: 'XA',
};
