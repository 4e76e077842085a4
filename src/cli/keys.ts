import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { recordAudit } from '../authz/admin/audit.js';
import { AUTHZ_KEY_PURPOSE, rotateSigningKey } from '../authz/keys/rotation.js';
import { type Config, loadConfig, type ServiceName } from '../platform/config/index.js';
import { DEFAULT_ROTATION, type KeyRecord, type KeyStore, openKeyBackends } from '../platform/keys/index.js';
import { certificateSummary } from '../platform/keys/x509/index.js';

import { KEYS_USAGE } from './usage.js';

const SERVICES = new Set<ServiceName>(['authz', 'issuer', 'portal']);
const iso = (ms: number | undefined) => (ms === undefined ? '-' : new Date(ms).toISOString());

function describe(record: KeyRecord): string {
  const { lifecycle } = record;
  const parts = [
    record.kid,
    record.purpose,
    lifecycle.state,
    record.alg,
    record.backend === 'pkcs11' ? `hsm ${record.location}` : 'sealed',
    `created ${iso(record.createdAt)}`,
  ];
  if (lifecycle.state === 'pending') parts.push(`signs from ${iso(lifecycle.activatesAt)}`);
  if (lifecycle.retiredAt !== undefined) parts.push(`retired ${iso(lifecycle.retiredAt)}`);
  if (lifecycle.state === 'retired') parts.push(`published until ${iso(lifecycle.publishedUntil)}`);
  if (record.certificateChain?.[0]) parts.push(certificateSummary(record.certificateChain[0]));
  return parts.join('  ');
}

function servicesOf(name: string | undefined): ServiceName[] | undefined {
  if (name === undefined) return ['authz', 'issuer', 'portal'];
  return SERVICES.has(name as ServiceName) ? [name as ServiceName] : undefined;
}

/** The services' databases and key purposes, loaded only when a keys command runs (not for `--help`). */
const keyServices = () => import('./key-services.js');

async function withKeys<T>(
  config: Config,
  service: ServiceName,
  use: (keys: KeyStore, db: unknown) => Promise<T>,
) {
  const opened = await (await keyServices()).openServiceKeys(config, service);
  try {
    return await use(opened.keyStore, opened.db);
  } finally {
    await opened.close();
  }
}

/** `attesta keys …`: offline key management on a service's database (and the HSM, when configured). */
export async function keysCommand(args: string[], out: (line: string) => void): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      purpose: { type: 'string' },
      configuration: { type: 'string' },
      lead: { type: 'string' },
      label: { type: 'string' },
      kid: { type: 'string' },
      subject: { type: 'string' },
      out: { type: 'string' },
      chain: { type: 'string' },
    },
  });
  const [action, service, ...rest] = positionals;
  const usage = () => {
    out(`usage:\n${KEYS_USAGE}`);
    return 2;
  };
  const services = servicesOf(service);
  if (!services) return usage();
  if (action !== 'list' && (action === undefined || service === undefined)) return usage();
  const config = loadConfig({ file: values.config });
  const backends = await openKeyBackends(config.keys);
  try {
    if (action === 'list') {
      for (const name of services) {
        const records = await withKeys(config, name, (keys) => keys.records(values.purpose));
        for (const record of records) out(`${name}  ${describe(record)}`);
      }
      return 0;
    }
    const target = services[0] as ServiceName;
    const actor = `cli:${userInfo().username}`;
    if (action === 'rotate') {
      const { SERVICE_KEY_PURPOSES, configurationKeyPurpose } = await keyServices();
      let wanted = values.purpose;
      if (values.configuration !== undefined) {
        if (target !== 'issuer' || wanted !== undefined) {
          out('--configuration names an issuer credential configuration, instead of --purpose');
          return 2;
        }
        const id = values.configuration;
        const found = await withKeys(config, target, (_keys, db) => configurationKeyPurpose(db, id));
        if (!found) {
          out(`no credential configuration ${id} in the issuer (attesta issuer config list)`);
          return 2;
        }
        wanted = found.purpose;
        out(
          `${id} signs with ${found.purpose}${found.sharedWith.length ? `, shared with ${found.sharedWith.join(', ')}` : ''}`,
        );
      }
      const purposes = SERVICE_KEY_PURPOSES[target].filter((p) => !wanted || p.purpose === wanted);
      if (!purposes.length) {
        out(
          `no key purpose ${wanted} in ${target}; its purposes: ${SERVICE_KEY_PURPOSES[target].map((p) => p.purpose).join(', ')}`,
        );
        return 2;
      }
      if (values.label !== undefined && purposes.length !== 1) {
        out('--label names one token key: give --purpose too');
        return 2;
      }
      const leadSeconds =
        values.lead !== undefined
          ? Number(values.lead)
          : (config.keys.rotation ?? DEFAULT_ROTATION).leadSeconds;
      if (!Number.isInteger(leadSeconds) || leadSeconds < 0) return usage();
      await withKeys(config, target, async (keys, db) => {
        for (const { purpose, alg } of purposes) {
          const options = {
            leadSeconds,
            ...(values.label !== undefined ? { tokenLabel: values.label } : {}),
          };
          const { kid, activatesAt } =
            purpose === AUTHZ_KEY_PURPOSE
              ? await rotateSigningKey(db as never, keys, actor, options)
              : await keys
                  .create(purpose, alg, {
                    activatesAt: Date.now() + leadSeconds * 1000,
                    ...(options.tokenLabel !== undefined ? { tokenLabel: options.tokenLabel } : {}),
                  })
                  .then((key) => ({ kid: key.kid, activatesAt: Date.now() + leadSeconds * 1000 }));
          out(`${purpose}: new key ${kid}, published now, signs from ${iso(activatesAt)}`);
        }
      });
      out('Running instances publish it within a minute and switch to it at that time.');
      return 0;
    }
    if (action === 'csr' || action === 'import-chain') {
      if (target !== 'issuer') {
        out('certificates are for the issuer keys: keys csr|import-chain issuer --purpose …');
        return 2;
      }
      const certificates = await import('./key-certificates.js');
      try {
        await withKeys(config, target, (keys) =>
          (action === 'csr' ? certificates.csrCommand : certificates.importChainCommand)(
            keys,
            config,
            values,
            out,
          ),
        );
      } catch (error) {
        if (!certificates.isCommandError(error)) throw error;
        out(error.message);
        return 1;
      }
      return 0;
    }
    if (action === 'revoke') {
      const kid = rest[0];
      if (!kid) return usage();
      await withKeys(config, target, async (keys, db) => {
        const record = (await keys.records()).find((r) => r.kid === kid);
        if (!record) throw new Error(`no key ${kid} in ${target}`);
        // A compromised signing key is replaced at once (no lead time): it must not sign again, and
        // an older key must not take over. A key already rotated in (pending) takes over, with the
        // certificate chain imported for it; otherwise a new one is made.
        if (record.lifecycle.state === 'signing') {
          const pending = (await keys.records(record.purpose))
            .filter((r) => r.lifecycle.state === 'pending')
            .sort((a, b) => Number(!!b.certificateChain) - Number(!!a.certificateChain))[0];
          if (pending) {
            await keys.activateNow(pending.kid);
            out(
              `${record.purpose}: pending key ${pending.kid}${pending.certificateChain ? ' (with its certificate)' : ''} signs now`,
            );
          } else {
            const next = await keys.create(record.purpose, record.alg);
            out(`${record.purpose}: replacement key ${next.kid} signs now`);
          }
        }
        await keys.revoke(kid);
        if (target === 'authz') {
          await recordAudit(db as never, { actor, action: 'key.revoke', target: kid, detail: {} });
        }
      });
      out(`revoked ${kid}: verifiers no longer find it once their cached key sets expire.`);
      out('Re-issue what it signed (docs/keys.md, "A compromised key").');
      return 0;
    }
    return usage();
  } finally {
    backends.close();
  }
}
