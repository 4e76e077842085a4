import type { Config } from '../platform/config/index.js';
import { type IdentityRegistry, openRegistry } from '../platform/registry/index.js';
import { ACR, ACR_VALUES } from './factors/acr.js';
import type { KbiField } from './views/login.js';

/**
 * A KBI realm: who can sign in with knowledge-based identification under one ACR — the registry
 * the answers are checked against, the fields of the form, and the field that is the account id
 * (`sub`). The default realm (`urn:attesta:acr:kbi`, `registry` + `authz.login.kbi.fields`) also
 * serves the OTP and password factors; further realms come from `authz.login.realms`.
 */
export interface Realm {
  acr: string;
  registry: IdentityRegistry;
  fields: KbiField[];
  /** The one field compared with `individualId`: the lookup key and the account id. */
  idField: KbiField;
}

function idFieldOf(fields: KbiField[], key: string): KbiField {
  const idFields = fields.filter((f) => f.attribute === 'individualId');
  const [idField] = idFields;
  if (idFields.length !== 1 || !idField) {
    throw new Error(`configuration: ${key}: exactly one field must use attribute "individualId"`);
  }
  return idField;
}

/** The default realm and the configured ones, by ACR. */
export class Realms {
  private constructor(
    readonly defaultRealm: Realm,
    private readonly byAcr: ReadonlyMap<string, Realm>,
  ) {}

  /** The default realm alone (the shared registry and `authz.login.kbi.fields`). */
  static single(config: Config, registry: IdentityRegistry): Realms {
    const { fields } = config.authz.login.kbi;
    const defaultRealm = {
      acr: ACR.kbi,
      registry,
      fields,
      idField: idFieldOf(fields, 'authz.login.kbi.fields'),
    };
    return new Realms(defaultRealm, new Map());
  }

  /**
   * Opens the registry of every configured realm (a CSV file is read and indexed once, here).
   * A realm may not reuse a built-in ACR or another realm's.
   */
  static async open(config: Config, registry: IdentityRegistry): Promise<Realms> {
    const { defaultRealm } = Realms.single(config, registry);
    const byAcr = new Map<string, Realm>();
    try {
      for (const [index, realm] of (config.authz.login.realms ?? []).entries()) {
        const key = `authz.login.realms[${index}]`;
        if (ACR_VALUES.includes(realm.acr) || byAcr.has(realm.acr)) {
          throw new Error(`configuration: ${key}.acr: ${realm.acr} is already in use`);
        }
        const idField = idFieldOf(realm.fields, `${key}.fields`);
        const realmRegistry = await openRegistry({
          ...realm.registry,
          database: realm.registry.database ?? config.registry.database,
          seedDemo: false,
        });
        byAcr.set(realm.acr, { acr: realm.acr, registry: realmRegistry, fields: realm.fields, idField });
      }
    } catch (error) {
      await Promise.all([...byAcr.values()].map((r) => r.registry.close()));
      throw error;
    }
    return new Realms(defaultRealm, byAcr);
  }

  /** The ACRs of the configured realms (the default realm's is built in). */
  get acrs(): string[] {
    return [...this.byAcr.keys()];
  }

  /** The realm an ACR signs in to: a configured realm's, else the default realm. */
  of(acr: string | undefined): Realm {
    return (acr !== undefined && this.byAcr.get(acr)) || this.defaultRealm;
  }

  /** Closes the realms' own registries (the default registry belongs to the caller). */
  async close(): Promise<void> {
    await Promise.all([...this.byAcr.values()].map((r) => r.registry.close()));
  }
}
