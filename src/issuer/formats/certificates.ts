import { X509Certificate } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Migrations } from '../../platform/db/index.js';
import type { KeyRecord, KeyStore, SigningKey } from '../../platform/keys/index.js';
import { createCertificate, type DistinguishedName } from '../../platform/keys/x509/index.js';
import { MDOC_DS_KEY_PURPOSE, MDOC_IACA_KEY_PURPOSE } from './keys.js';

/** The certificates of the first releases (before chains were kept with their keys); adopted at start. */
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
/** A demo DS certificate this close to its end is replaced by a new DS key (credentials outlive signing). */
const DS_RENEW_BEFORE = 90 * DAY;
/** How long the signer and roots are kept before the key store is read again. */
const CACHE_MS = 60_000;

export interface MdocSigner {
  key: SigningKey;
  /** x5chain (ISO/IEC 18013-5 §9.1.2.4): the DS certificate first, then intermediates; not the IACA root. */
  certificates: Buffer[];
}

const isSelfSigned = (der: Buffer) => {
  const certificate = new X509Certificate(der);
  return certificate.subject === certificate.issuer && certificate.verify(certificate.publicKey);
};
const PUBLISHED = new Set(['pending', 'signing', 'retired']);

/**
 * The mdoc document signer and the IACA roots verifiers trust. Each DS key carries its chain (DS
 * certificate … IACA root) in the key store:
 * - imported from the issuer's CA (`attesta keys csr` → CA → `attesta keys import-chain`), or
 * - the demo chain the embedded start makes: an IACA key of our own (`issuer-mdoc-iaca`) certifies
 *   each DS key. Used while no DS chain from another root was imported; a demo DS certificate near
 *   its end is replaced by a new DS key.
 * The signer is the newest activated DS key that has a valid chain. `/mdoc/iaca.pem` serves the
 * roots of every published DS chain, and the demo IACA certificates, so a rotated root is trusted
 * before its first DS signs.
 */
export class MdocCertificates {
  private cached: { until: number; signer: Promise<MdocSigner> } | undefined;
  private readonly clock: () => number;

  constructor(
    private readonly db: Kysely<FormatTables>,
    private readonly keys: KeyStore,
    private readonly options: {
      country: string;
      organization: string;
      issuerUrl: string;
      clock?: () => number;
    },
  ) {
    this.clock = options.clock ?? Date.now;
  }

  /** The DS key that signs now, with its x5chain. */
  signer(): Promise<MdocSigner> {
    const now = this.clock();
    if (this.cached && now < this.cached.until) return this.cached.signer;
    const entry = { until: now + CACHE_MS, signer: this.prepare().then(() => this.choose()) };
    this.cached = entry;
    entry.signer.catch(() => {
      if (this.cached === entry) this.cached = undefined;
    });
    return entry.signer;
  }

  /** The IACA root certificates a verifier of our mdocs should trust (DER). */
  async roots(): Promise<Buffer[]> {
    const now = this.clock();
    const roots = new Map<string, Buffer>();
    const add = (der: Buffer | undefined) => {
      if (der && isSelfSigned(der)) roots.set(der.toString('base64'), der);
    };
    for (const record of await this.keys.records(MDOC_DS_KEY_PURPOSE, now)) {
      if (PUBLISHED.has(record.lifecycle.state)) add(record.certificateChain?.at(-1));
    }
    if (await this.demo(now)) {
      for (const record of await this.keys.records(MDOC_IACA_KEY_PURPOSE, now)) {
        if (PUBLISHED.has(record.lifecycle.state)) add(record.certificateChain?.[0]);
      }
    }
    return [...roots.values()];
  }

  /**
   * Start-up (and each cache refresh): adopt the first releases' certificates, then — in demo mode —
   * make the IACA certificate, certify DS keys that lack a chain, and renew a DS near its end.
   */
  async prepare(): Promise<void> {
    await this.adoptStoredRows();
    const now = this.clock();
    await this.keys.ensureSigning(MDOC_DS_KEY_PURPOSE, 'ES256');
    if (!(await this.demo(now))) return;
    const iaca = await this.demoIaca(now);
    let records = await this.keys.records(MDOC_DS_KEY_PURPOSE, now);
    const signing = records.find((r) => r.lifecycle.state === 'signing');
    const leaf = signing?.certificateChain?.[0];
    const rootChanged =
      signing?.certificateChain && !signing.certificateChain.at(-1)?.equals(iaca.certificate);
    const ending = leaf && Date.parse(new X509Certificate(leaf).validTo) - now < DS_RENEW_BEFORE;
    if (rootChanged || ending) {
      await this.keys.create(MDOC_DS_KEY_PURPOSE, 'ES256');
      records = await this.keys.records(MDOC_DS_KEY_PURPOSE, now);
    }
    for (const record of records) {
      if (record.certificateChain || !['pending', 'signing'].includes(record.lifecycle.state)) continue;
      const ds = await createCertificate({
        subject: { ...this.dn(), commonName: `${this.options.organization} document signer` },
        subjectJwk: (await this.keyOf(record.kid)).publicJwk,
        issuer: this.iacaDn(),
        issuerJwk: iaca.key.publicJwk,
        issuerKey: iaca.key,
        notBefore: new Date(now - DAY), // credentials are signed at the rounded hour
        notAfter: new Date(now + DS_LIFETIME),
        profile: 'document-signer',
        issuerUrl: this.options.issuerUrl,
      });
      await this.keys.setCertificateChain(record.kid, [ds, iaca.certificate]);
    }
  }

  private async choose(): Promise<MdocSigner> {
    const now = this.clock();
    const records = await this.keys.records(MDOC_DS_KEY_PURPOSE, now);
    // An mdoc's MSO is signed "at" the issuance hour (validFrom, rounded down): the DS certificate
    // must already be valid then, or verifiers refuse the signed time (ISO/IEC 18013-5 §9.3.1).
    const hour = Math.floor(now / 3_600_000) * 3_600_000;
    const usable = (r: KeyRecord) => {
      const leaf = r.certificateChain?.[0];
      if (!leaf) return false;
      const certificate = new X509Certificate(leaf);
      return Date.parse(certificate.validFrom) <= hour && Date.parse(certificate.validTo) > now;
    };
    // The signing key once it has its chain; until then (a rotated-in DS whose CA chain is not yet
    // imported) the newest earlier key whose certificate is still valid.
    const chosen =
      records.find((r) => r.lifecycle.state === 'signing' && usable(r)) ??
      records
        .filter((r) => r.lifecycle.state === 'retired' && usable(r))
        .sort((a, b) => b.lifecycle.activatesAt - a.lifecycle.activatesAt)[0];
    if (!chosen?.certificateChain) {
      throw new Error('mdoc: no document signer with a valid certificate chain (attesta keys import-chain)');
    }
    const chain = chosen.certificateChain;
    const certificates =
      chain.length > 1 && isSelfSigned(chain.at(-1) as Buffer) ? chain.slice(0, -1) : chain;
    return { key: await this.keyOf(chosen.kid), certificates };
  }

  /**
   * Demo mode: no DS chain ends at a root other than our own IACA's. Once the issuer's CA has
   * certified a DS key, no DS key is certified by the demo IACA again.
   */
  private async demo(now: number): Promise<boolean> {
    const ours = new Set(
      (await this.keys.records(MDOC_IACA_KEY_PURPOSE, now)).flatMap((r) =>
        r.certificateChain?.[0] ? [r.certificateChain[0].toString('base64')] : [],
      ),
    );
    return (await this.keys.records(MDOC_DS_KEY_PURPOSE, now)).every(
      (r) => !r.certificateChain || ours.has((r.certificateChain.at(-1) as Buffer).toString('base64')),
    );
  }

  /** The signing IACA key and its self-signed certificate, made on first use. */
  private async demoIaca(now: number): Promise<{ key: SigningKey; certificate: Buffer }> {
    const choice = await this.keys.ensureSigning(MDOC_IACA_KEY_PURPOSE, 'ES256');
    const existing = choice.certificateChain?.[0];
    if (existing) return { key: choice.key, certificate: existing };
    const certificate = await createCertificate({
      subject: this.iacaDn(),
      subjectJwk: choice.key.publicJwk,
      issuer: this.iacaDn(),
      issuerJwk: choice.key.publicJwk,
      issuerKey: choice.key,
      notBefore: new Date(now - DAY),
      notAfter: new Date(now + IACA_LIFETIME),
      profile: 'iaca',
      issuerUrl: this.options.issuerUrl,
    });
    await this.keys.setCertificateChain(choice.key.kid, [certificate]);
    return { key: choice.key, certificate };
  }

  /** Certificates stored by earlier releases move onto their keys (once; the rows stay as they were). */
  private async adoptStoredRows(): Promise<void> {
    const rows = await this.db.selectFrom('issuer_formats_certificates').selectAll().execute();
    const iaca = rows.find((r) => r.name === 'iaca');
    const ds = rows.find((r) => r.name === 'document-signer');
    const chainless = async (kid: string) =>
      (await this.keys.records()).some((r) => r.kid === kid && !r.certificateChain);
    if (iaca && (await chainless(iaca.kid))) {
      await this.keys.setCertificateChain(iaca.kid, [Buffer.from(iaca.der, 'base64')]);
    }
    if (ds && iaca && (await chainless(ds.kid))) {
      await this.keys.setCertificateChain(ds.kid, [
        Buffer.from(ds.der, 'base64'),
        Buffer.from(iaca.der, 'base64'),
      ]);
    }
  }

  private async keyOf(kid: string): Promise<SigningKey> {
    const key = await this.keys.get(kid);
    if (!key) throw new Error(`mdoc certificates: key ${kid} is missing`);
    return key;
  }

  private dn(): Omit<DistinguishedName, 'commonName'> {
    return { country: this.options.country, organization: this.options.organization };
  }

  private iacaDn(): DistinguishedName {
    return { ...this.dn(), commonName: `${this.options.organization} IACA` };
  }
}
