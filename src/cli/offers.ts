import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { Kysely } from 'kysely';
import QRCode from 'qrcode';
import {
  CachedConfigurationSource,
  ConfigurationStore,
  seedDemoConfigurations,
} from '../issuer/configurations/index.js';
import {
  ISSUANCE_MIGRATION_SET,
  type IssuanceTables,
  issuanceMigrations,
} from '../issuer/issuance/database.js';
import { OfferRequest, OfferService } from '../issuer/offers/create.js';
import { OfferStore } from '../issuer/offers/store.js';
import {
  PROTOCOL_MIGRATION_SET,
  type ProtocolTables,
  protocolMigrations,
} from '../issuer/protocol-database.js';
import { loadConfig } from '../platform/config/index.js';
import { migrateToLatest, openDatabase } from '../platform/db/index.js';
import { ProtocolError } from '../platform/errors.js';
import { loadMasterKey } from '../platform/keys/index.js';
import { OFFER_USAGE } from './usage.js';

const checkRequest = TypeCompiler.Compile(OfferRequest);

/**
 * `attesta offer create …`: the same offers as `POST /admin/offers`, made offline on the issuer
 * database (whoever can run this can read the database anyway). Claims are validated against the
 * configuration exactly as through the API.
 */
export async function offerCommand(args: string[], out: (line: string) => void): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      configuration: { type: 'string', multiple: true },
      subject: { type: 'string' },
      claims: { type: 'string' },
      'tx-code': { type: 'string' },
      'tx-mode': { type: 'string' },
      'tx-description': { type: 'string' },
      'authorization-code': { type: 'boolean' },
      'no-pre-authorized': { type: 'boolean' },
      'expires-in': { type: 'string' },
      draft13: { type: 'boolean' },
      qr: { type: 'boolean' },
    },
  });
  if (positionals[0] !== 'create' || !values.configuration?.length) {
    out(`usage:\n${OFFER_USAGE}`);
    return 2;
  }
  let claims: Record<string, unknown> | undefined;
  if (values.claims) {
    const text = values.claims.startsWith('@') ? readFileSync(values.claims.slice(1), 'utf8') : values.claims;
    claims = JSON.parse(text) as Record<string, unknown>;
  }
  const txLength = values['tx-code'] ? Number(values['tx-code']) : undefined;
  const request = {
    credential_configuration_ids: values.configuration,
    ...(values.subject ? { subject: values.subject } : {}),
    ...(claims ? { claims } : {}),
    grants: {
      ...(values['no-pre-authorized']
        ? {}
        : {
            pre_authorized_code: txLength
              ? {
                  tx_code: {
                    length: txLength,
                    input_mode: values['tx-mode'] ?? 'numeric',
                    ...(values['tx-description'] ? { description: values['tx-description'] } : {}),
                  },
                }
              : {},
          }),
      ...(values['authorization-code'] ? { authorization_code: {} } : {}),
    },
    ...(values['expires-in'] ? { expires_in: Number(values['expires-in']) } : {}),
    ...(values.draft13 ? { draft13: true } : {}),
  };
  if (!checkRequest.Check(request)) {
    const first = checkRequest.Errors(request).First();
    out(`error: ${first?.path ?? ''} ${first?.message ?? 'invalid offer'}`.trim());
    return 1;
  }

  const config = loadConfig({ file: values.config });
  const database = openDatabase<IssuanceTables & ProtocolTables>(config.issuer.database, config.database);
  try {
    await migrateToLatest(database.db as Kysely<unknown>, ISSUANCE_MIGRATION_SET, issuanceMigrations);
    await migrateToLatest(database.db as Kysely<unknown>, PROTOCOL_MIGRATION_SET, protocolMigrations);
    const masterKey = loadMasterKey(config.keys.masterKeyFile);
    const store = new ConfigurationStore(database.db);
    // As the issuer does on start, so an offer can be made before the first start.
    if (config.registry.seedDemo) await seedDemoConfigurations(store, config.issuer.publicUrl);
    const offers = new OfferService({
      publicUrl: config.issuer.publicUrl,
      authorizationServer: config.issuer.authorizationServers[0] as string,
      store: new OfferStore(database.db, masterKey.derive('issuer-pre-authorized-code')),
      configurations: new CachedConfigurationSource(store),
      defaultTtl: config.issuer.protocol.offerTtl,
      attempts: config.issuer.protocol.txCodeAttempts,
    });
    const view = await offers.create(request as OfferRequest);
    out(JSON.stringify(view, null, 2));
    if (view.tx_code) out(`transaction code (give it to the holder separately): ${view.tx_code}`);
    if (values.qr) out(await QRCode.toString(view.offer_uri_by_reference, { type: 'terminal', small: true }));
    return 0;
  } catch (error) {
    if (error instanceof ProtocolError) {
      out(`error: ${error.description}`);
      return 1;
    }
    throw error;
  } finally {
    await database.close();
  }
}
