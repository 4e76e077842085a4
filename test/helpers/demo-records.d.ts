// Types of demo-records.js (plain JavaScript, also read by bench/load/raw.js under plain node).

export declare const NATIONAL_ID_CLAIMS: {
  given_name: string;
  family_name: string;
  birthdate: string;
  gender: string;
  address: { street_address: string; locality: string; postal_code: string; country: string };
  nationalities: string[];
  email: string;
  phone_number: string;
  issuing_country: string;
};
export declare const NATIONAL_ID_DISCLOSABLE: string[][];
export declare const MDL_DOCTYPE: 'org.iso.18013.5.1.mDL';
export declare const MDL_NAMESPACE: 'org.iso.18013.5.1';
export declare const MDL_ELEMENTS: {
  family_name: string;
  given_name: string;
  birth_date: string;
  issue_date: string;
  expiry_date: string;
  issuing_country: string;
  issuing_authority: string;
  document_number: string;
  driving_privileges: { vehicle_category_code: string }[];
  un_distinguishing_sign: string;
};
