import type { CredentialConfiguration } from './types.js';

const en = (name: string) => [{ name, locale: 'en' }];

/**
 * The demo national identity credential. `vct` is a URN rather than a URL of this issuer so it
 * stays the same whatever host the issuer is deployed on.
 */
export const nationalIdSdJwt: CredentialConfiguration = {
  id: 'national_id_sd_jwt',
  format: 'dc+sd-jwt',
  scope: 'national_id',
  vct: 'urn:attesta:credential:national-id:1',
  display: [
    {
      name: 'National ID',
      description: 'Proof of identity issued from the national identity registry',
      locale: 'en',
      background_color: '#12355b',
      text_color: '#ffffff',
    },
  ],
  claims: [
    { path: ['given_name'], source: { identity: 'givenName' }, disclosable: true, display: en('Given name') },
    {
      path: ['family_name'],
      source: { identity: 'familyName' },
      disclosable: true,
      display: en('Family name'),
    },
    {
      path: ['birthdate'],
      source: { identity: 'birthDate' },
      disclosable: true,
      display: en('Date of birth'),
    },
    { path: ['gender'], source: { identity: 'gender' }, disclosable: true, display: en('Gender') },
    { path: ['address'], disclosable: true, display: en('Address') },
    {
      path: ['address', 'street_address'],
      source: { identity: 'address.streetAddress' },
      disclosable: true,
      display: en('Street address'),
    },
    {
      path: ['address', 'locality'],
      source: { identity: 'address.locality' },
      disclosable: true,
      display: en('Locality'),
    },
    {
      path: ['address', 'postal_code'],
      source: { identity: 'address.postalCode' },
      disclosable: true,
      display: en('Postal code'),
    },
    {
      path: ['address', 'country'],
      source: { identity: 'address.country' },
      disclosable: true,
      display: en('Country'),
    },
    {
      path: ['nationalities'],
      source: { identity: 'nationality' },
      asArray: true,
      disclosable: true,
      display: en('Nationalities'),
    },
    { path: ['email'], source: { identity: 'email' }, disclosable: true, display: en('Email') },
    { path: ['phone_number'], source: { identity: 'phone' }, disclosable: true, display: en('Phone number') },
    // Not personal: visible to every verifier without disclosure.
    {
      path: ['issuing_country'],
      source: { constant: 'XA' },
      disclosable: false,
      display: en('Issuing country'),
    },
  ],
};
