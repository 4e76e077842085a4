import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { type Config, loadConfig, type ServiceName } from '../../src/platform/config/index.js';
import { loadMasterKey } from '../../src/platform/keys/index.js';
import { freePort, startTestSystem, type TestSystem } from '../helpers/system.js';

/**
 * deploy/ read the way a cluster or compose would: every manifest parses, and every probe path,
 * port, command and environment variable it names exists in the code and the configuration schema
 * (checked against a running system and the real configuration loader). What this machine cannot
 * check: there is no Docker engine and no cluster here, so the image is never built (`docker
 * build`), no container runs, and `kubectl apply --dry-run=server` is not run.
 */
// biome-ignore lint/suspicious/noExplicitAny: parsed YAML, read by path
type Doc = Record<string, any>;
const SERVICES: ServiceName[] = ['authz', 'issuer', 'portal'];
const K8S = 'deploy/kubernetes';
const readYaml = (path: string): Doc[] =>
  // merge: YAML merge keys (`<<: *anchor`), which Compose applies.
  parseAllDocuments(readFileSync(path, 'utf8'), { merge: true }).map((d) => {
    expect(d.errors, path).toEqual([]);
    return d.toJS() as Doc;
  });
const manifests = readdirSync(K8S)
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((file) => readYaml(join(K8S, file)).map((doc) => ({ file, doc })));
const ofKind = (kind: string) => manifests.filter((m) => m.doc.kind === kind).map((m) => m.doc);
const exampleSecret = ofKind('Secret')[0] as Doc;
const configMap = ofKind('ConfigMap')[0] as Doc;

/** Values a Secret would hold, by key, of the right shape for the loader. */
const SAMPLE_SECRET: Record<string, string> = {
  'master-key': randomBytes(32).toString('hex'),
  'database-url': 'postgres://attesta:pw@postgres.internal:5432/attesta',
  'registry-database-url': 'postgres://registry:pw@postgres.internal:5432/registry',
  'metrics-token': 'token',
};

let dir: string;
let system: TestSystem;
let metricsText = '';
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'attesta-deploy-'));
  const port = await freePort();
  system = await startTestSystem({ overrides: { metrics: { host: '127.0.0.1', port, token: '' } } });
  metricsText = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
});
afterAll(async () => {
  await system?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The environment a container gets: literal values and Secret references resolved with samples. */
function containerEnv(env: Doc[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of env) {
    const ref = entry.valueFrom?.secretKeyRef;
    if (ref) {
      expect(ref.name).toBe(exampleSecret.metadata.name);
      expect(Object.keys(exampleSecret.stringData), `${entry.name}: key ${ref.key}`).toContain(ref.key);
      out[entry.name] = SAMPLE_SECRET[ref.key] ?? 'x';
    } else out[entry.name] = String(entry.value);
  }
  return out;
}

/** Loads the configuration as the process would: the file named by ATTESTA_CONFIG, then ATTESTA_*. */
function loadAs(env: Record<string, string>, files: Record<string, string>): Config {
  const file = env.ATTESTA_CONFIG ? files[env.ATTESTA_CONFIG] : undefined;
  if (env.ATTESTA_CONFIG) expect(file, `${env.ATTESTA_CONFIG} is mounted`).toBeDefined();
  if (env.ATTESTA_MASTER_KEY) loadMasterKey(join(dir, 'unused.key'), env);
  return loadConfig({ env, file, cwd: dir });
}

/** The CLI's usage (what `attesta --help` prints) names `serve <authz|issuer|portal>`. */
function cliAccepts(args: string[]): boolean {
  const cli =
    readFileSync('src/cli.ts', 'utf8') +
    readdirSync('src/cli')
      .map((f) => readFileSync(`src/cli/${f}`, 'utf8'))
      .join('\n');
  return (
    args[0] === 'serve' &&
    SERVICES.includes(args[1] as ServiceName) &&
    args.length === 2 &&
    cli.includes('serve <authz|issuer|portal>')
  );
}

/** Metric families a running system exports (`# TYPE` lines). */
function exportedFamilies(): Set<string> {
  return new Set([...metricsText.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1] as string));
}
function familyOf(name: string): string {
  return name.replace(/_(bucket|count|sum)$/, '');
}

describe('Kubernetes manifests', () => {
  it('parse, and the kustomization lists every manifest but the example Secret', () => {
    expect(manifests.length).toBeGreaterThan(8);
    const kustomization = readYaml(join(K8S, 'kustomization.yaml'))[0] as Doc;
    const listed = new Set<string>(kustomization.resources);
    for (const file of readdirSync(K8S).filter((f) => f.endsWith('.yaml'))) {
      if (file === 'kustomization.yaml' || file === 'secret.example.yaml')
        expect(listed.has(file)).toBe(false);
      else expect(listed.has(file), file).toBe(true);
    }
  });

  it.each(SERVICES)('%s: command, port, environment, probes and volumes match the code', async (service) => {
    const deployment = ofKind('Deployment').find((d) => d.metadata.name === `attesta-${service}`) as Doc;
    expect(deployment).toBeDefined();
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    const container = (pod.containers as Doc[])[0] as Doc;
    expect(container.args).toEqual(['serve', service]);
    expect(cliAccepts(container.args)).toBe(true);

    // The configuration the container ends up with: the ConfigMap's file plus its environment.
    const mount = (container.volumeMounts as Doc[]).find((m) => {
      const volume = (pod.volumes as Doc[]).find((v) => v.name === m.name);
      return volume?.configMap?.name === configMap.metadata.name;
    });
    const filePath = join(dir, `${service}-attesta.json`);
    writeFileSync(filePath, configMap.data['attesta.json']);
    const env = containerEnv(container.env);
    const config = loadAs(env, { [`${mount?.mountPath}/attesta.json`]: filePath });
    expect(config.mode).toBe('production');
    // Kubernetes kills the pod after its grace period: the process must be done draining before.
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(
      config.shutdown.drainSeconds + config.shutdown.graceSeconds,
    );
    expect(config.shutdown.drainSeconds).toBeGreaterThanOrEqual(container.readinessProbe.periodSeconds);
    expect(config[service].database).toBe(SAMPLE_SECRET['database-url']);
    expect(config[service].host).toBe('0.0.0.0');

    const ports = Object.fromEntries((container.ports as Doc[]).map((p) => [p.name, p.containerPort]));
    expect(ports.http).toBe(config[service].port);
    expect(ports.metrics).toBe(config.metrics.port);
    expect(config.metrics.host).toBe('0.0.0.0');
    expect(deployment.spec.template.metadata.annotations['prometheus.io/port']).toBe(
      String(config.metrics.port),
    );

    // Each probe path answers 200 on a running service of that kind; the port is the named http port.
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
      const get = container[probe]?.httpGet;
      expect(get?.port, probe).toBe('http');
      const response = await fetch(`${system.urls[service]}${get?.path}`);
      expect(response.status, `${probe} ${get?.path}`).toBe(200);
    }
    expect(container.readinessProbe.httpGet.path).not.toBe(container.livenessProbe.httpGet.path);

    const resources = container.resources;
    expect(resources?.requests?.cpu).toBeDefined();
    expect(resources?.requests?.memory).toBeDefined();
    expect(resources?.limits?.memory).toBeDefined();

    const serviceManifest = ofKind('Service').find((s) => s.metadata.name === `attesta-${service}`) as Doc;
    expect(serviceManifest.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    expect((serviceManifest.spec.ports as Doc[]).find((p) => p.name === 'http')?.port).toBe(
      config[service].port,
    );
    const pdb = ofKind('PodDisruptionBudget').find((p) => p.metadata.name === `attesta-${service}`) as Doc;
    expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    expect(pdb.spec.minAvailable).toBeLessThan(deployment.spec.replicas);
  });

  it('the issuer has a HorizontalPodAutoscaler on its Deployment', () => {
    const hpa = ofKind('HorizontalPodAutoscaler');
    expect(hpa).toHaveLength(1);
    expect(hpa[0]?.spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'attesta-issuer',
    });
    expect(hpa[0]?.spec.minReplicas).toBeGreaterThanOrEqual(2);
  });

  it('the ingress routes each public URL of the configuration to its Service', () => {
    const file = join(dir, 'ingress.json');
    writeFileSync(file, configMap.data['attesta.json']);
    const config = loadConfig({ env: {}, file, cwd: dir });
    const ingress = ofKind('Ingress')[0] as Doc;
    for (const service of SERVICES) {
      const host = new URL(config[service].publicUrl).host;
      const rule = (ingress.spec.rules as Doc[]).find((r) => r.host === host);
      expect(rule?.http.paths[0].backend.service.name, host).toBe(`attesta-${service}`);
      expect(ingress.spec.tls[0].hosts).toContain(host);
    }
  });
});

describe('compose file', () => {
  const compose = readYaml('deploy/compose.yaml')[0] as Doc;
  it.each(SERVICES)(
    '%s: command, published port, health check path and configuration match the code',
    async (service) => {
      const entry = compose.services[service];
      expect(entry.command).toEqual(['serve', service]);
      expect(cliAccepts(entry.command)).toBe(true);
      const env: Record<string, string> = {
        ...entry.environment,
        ATTESTA_MASTER_KEY: SAMPLE_SECRET['master-key'] as string,
      };
      const [hostFile, mountPath] = String(entry.volumes[0]).split(':');
      const config = loadAs(env, {
        [mountPath as string]: join(process.cwd(), 'deploy', hostFile as string),
      });
      expect(config[service].database.startsWith('postgres://')).toBe(true);
      expect(config[service].database).toContain('@postgres:5432/');
      expect(entry.ports).toEqual([`${config[service].port}:${config[service].port}`]);
      // Every service reaches the others by the public names, which are the containers' aliases.
      const host = new URL(config[service].publicUrl).hostname;
      expect(entry.networks.default.aliases).toEqual([host]);
      const check = /fetch\('http:\/\/127\.0\.0\.1:(\d+)(\/[^']*)'\)/.exec(entry.healthcheck.test.join(' '));
      expect(Number(check?.[1])).toBe(config[service].port);
      expect((await fetch(`${system.urls[service]}${check?.[2]}`)).status).toBe(200);
    },
  );
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync('deploy/Dockerfile', 'utf8');
  const stages = [...dockerfile.matchAll(/^FROM (\S+)(?: AS (\S+))?$/gm)];
  it('multi-stage on a pinned Node 24 LTS, non-root, production dependencies only, plain node on the build output', () => {
    const base = /^ARG NODE_IMAGE=(\S+)$/m.exec(dockerfile)?.[1] ?? '';
    expect(base).toMatch(/^node:24\.\d+\.\d+-[a-z]+-slim$/);
    expect(stages.length).toBeGreaterThanOrEqual(3);
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).not.toMatch(/npm (ci|install)(?![^\n]*--omit=dev)/);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(runtime).toMatch(/COPY --from=production-deps [^\n]*\/app\/node_modules/);
    const entry = JSON.parse(/^ENTRYPOINT (.+)$/m.exec(dockerfile)?.[1] ?? '[]') as string[];
    expect(entry).toEqual(['node', 'dist/cli.js']);
    // dist/cli.js is what `npm run build` makes of src/cli.ts.
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.build, 'package.json has the build the image runs').toBeDefined();
    expect(readFileSync('src/cli.ts', 'utf8').length).toBeGreaterThan(0);
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
    // Not checked here: no Docker engine on this machine, so the image is not built or run.
  });
});

describe('monitoring examples', () => {
  it('every metric the alert rules and the dashboard use is exported by the services', () => {
    const families = exportedFamilies();
    const rules = readYaml('deploy/monitoring/prometheus-alerts.yaml')[0] as Doc;
    const exprs: string[] = rules.groups.flatMap((g: Doc) => g.rules.map((r: Doc) => String(r.expr)));
    const dashboard = JSON.parse(readFileSync('deploy/monitoring/grafana-dashboard.json', 'utf8')) as {
      panels: { targets: { expr: string }[] }[];
    };
    exprs.push(...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)));
    const used = new Set(
      exprs.flatMap((e) =>
        [...e.matchAll(/\b((?:attesta|nodejs|process)_[a-z0-9_]+)/g)].map((m) => m[1] as string),
      ),
    );
    expect(used.size).toBeGreaterThan(10);
    for (const name of used) expect(families.has(familyOf(name)), name).toBe(true);
  });
});
