import { X509Certificate } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Migrations } from '../../platform/db/index.js';
import type { KeyStore, SigningKey } from '../../platform/keys/index.js';
import { createCertificate, type DistinguishedName } from '../../platform/keys/x509/index.js';
import { MDOC_DS_KEY_PURPOSE, MDOC_IACA_KEY_PURPOSE } from './keys.js';

export interface CertificatesTable {
  /** `iaca` (the root) or `document-signer`. */
  name: string;
  /** The key (in signing_keys) the certificate certifies. */
  kid: string;
  /** DER, base64. */
  der: string;
  not_after: number;
  created_at: number;
}

export interface FormatTables {
  issuer_formats_certificates: CertificatesTable;
}

/** Applied with `migrateToLatest(db, FORMATS_MIGRATION_SET, formatMigrations)`: its own migration table. */
export const FORMATS_MIGRATION_SET = 'issuer_formats';
export const formatMigrations: Migrations = {
  '0001_certificates': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('issuer_formats_certificates')
        .addColumn('name', 'varchar(40)', (c) => c.primaryKey())
        .addColumn('kid', 'varchar(100)', (c) => c.notNull())
        .addColumn('der', 'text', (c) => c.notNull())
        .addColumn('not_after', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('issuer_formats_certificates').execute();
    },
  },
};

const DAY = 86_400_000;
/** ISO/IEC 18013-5 Annex B: an IACA certificate lives at most 20 years, a DS certificate 457 days. */
const IACA_LIFETIME = 10 * 365 * DAY;
const DS_LIFETIME = 365 * DAY;
/** A DS certificate this close to its end is replaced at start-up (credentials outlive signing). */
const DS_RENEW_BEFORE = 90 * DAY;

export interface MdocIssuerCertificates {
  iaca: Buffer;
  documentSigner: Buffer;
  signer: SigningKey;
}

/**
 * The IACA root and the document-signer certificate of the mdoc signer, created on first start and
 * kept in the issuer database (every instance uses the same ones). The document signer is renewed at
 * start-up when it nears its end; the IACA root stays, so verifiers keep one trust anchor.
 */
export async function ensureMdocCertificates(
  db: Kysely<FormatTables>,
  keys: KeyStore,
  options: { country: string; organization: string; issuerUrl: string; now?: Date },
): Promise<MdocIssuerCertificates> {
  const now = options.now ?? new Date();
  const iacaDn: DistinguishedName = {
    country: options.country,
    organization: options.organization,
    commonName: `${options.organization} IACA`,
  };
  const load = (name: string) =>
    db.selectFrom('issuer_formats_certificates').selectAll().where('name', '=', name).executeTakeFirst();
  const save = async (name: string, kid: string, der: Buffer) => {
    const row = {
      name,
      kid,
      der: der.toString('base64'),
      not_after: Date.parse(new X509Certificate(der).validTo),
      created_at: now.getTime(),
    };
    // Another instance may have won the race: theirs is kept (ON CONFLICT DO NOTHING), then re-read.
    await db
      .insertInto('issuer_formats_certificates')
      .values(row)
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
  };
  const keyOf = async (purpose: string, kid: string) => {
    const key = (await keys.all(purpose)).find((k) => k.kid === kid);
    if (!key) throw new Error(`mdoc certificates: key ${kid} of ${purpose} is missing`);
    return key;
  };

  let iacaRow = await load('iaca');
  if (!iacaRow) {
    const root = await keys.ensureActive(MDOC_IACA_KEY_PURPOSE, 'ES256');
    const der = await createCertificate({
      subject: iacaDn,
      subjectJwk: root.publicJwk,
      issuer: iacaDn,
      issuerJwk: root.publicJwk,
      issuerKey: root,
      notBefore: new Date(now.getTime() - DAY), // credentials are signed at the rounded hour
      notAfter: new Date(now.getTime() + IACA_LIFETIME),
      profile: 'iaca',
      issuerUrl: options.issuerUrl,
    });
    await save('iaca', root.kid, der);
    iacaRow = await load('iaca');
  }
  if (!iacaRow) throw new Error('mdoc certificates: IACA not stored');
  const root = await keyOf(MDOC_IACA_KEY_PURPOSE, iacaRow.kid);

  let dsRow = await load('document-signer');
  if (dsRow && dsRow.not_after - now.getTime() < DS_RENEW_BEFORE) {
    await db.deleteFrom('issuer_formats_certificates').where('name', '=', 'document-signer').execute();
    dsRow = undefined;
  }
  if (!dsRow) {
    const signer = await keys.create(MDOC_DS_KEY_PURPOSE, 'ES256');
    const der = await createCertificate({
      subject: {
        country: options.country,
        organization: options.organization,
        commonName: `${options.organization} document signer`,
      },
      subjectJwk: signer.publicJwk,
      issuer: iacaDn,
      issuerJwk: root.publicJwk,
      issuerKey: root,
      notBefore: new Date(now.getTime() - DAY), // credentials are signed at the rounded hour
      notAfter: new Date(now.getTime() + DS_LIFETIME),
      profile: 'document-signer',
      issuerUrl: options.issuerUrl,
    });
    await save('document-signer', signer.kid, der);
    dsRow = await load('document-signer');
  }
  if (!dsRow) throw new Error('mdoc certificates: document signer not stored');
  return {
    iaca: Buffer.from(iacaRow.der, 'base64'),
    documentSigner: Buffer.from(dsRow.der, 'base64'),
    signer: await keyOf(MDOC_DS_KEY_PURPOSE, dsRow.kid),
  };
}
