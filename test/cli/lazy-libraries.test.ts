import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoopbackBrowser } from '../helpers/loopback-browser.js';
import { type ProcessSystem, startProcessSystem } from '../helpers/process-system.js';
import { testConfig } from '../helpers/system.js';

/**
 * `npm start`'s process (the built `dist/cli.js start`: authz, issuer and portal in one process) does
 * not load the libraries of the PDF, of ldp_vc and of mso_mdoc until someone asks for a PDF or such a
 * credential, nor nodemailer and ioredis when no SMTP relay or Redis is configured: each holds several
 * MB of memory for good (issue 14 item 5, docs/decisions.md). What a module costs is read from which
 * modules node has loaded (test/helpers/loaded-modules.mjs), asked of the process after each step.
 */
const LAZY = {
  pdf: ['@cantoo/pdf-lib', 'fontkit', 'bidi-js'],
  ldp: ['jsonld', 'rdf-canonize', '@digitalbazaar/vc', '@digitalbazaar/data-integrity'],
  mdoc: ['@owf/mdoc'],
  unconfigured: ['nodemailer', 'ioredis'],
};
const AMARA = { individual_id: '5102030400', full_name: 'Amara Okafor', date_of_birth: '1970-03-13' };

let system: ProcessSystem;
let dataDir = '';
let portal = '';
let asked = 0;
const listFile = () => join(dataDir, 'loaded-modules.json');

/** The packages (under node_modules) whose modules the process has loaded so far. */
async function loadedPackages(): Promise<Set<string>> {
  asked++;
  process.kill(system.pid, 'SIGUSR2');
  let list: { seq: number; urls: string[] } | undefined;
  await expect
    .poll(
      () => {
        list = existsSync(listFile()) ? JSON.parse(readFileSync(listFile(), 'utf8')) : undefined;
        return list?.seq;
      },
      { timeout: 10_000, interval: 50 },
    )
    .toBe(asked);
  return new Set(
    (list?.urls ?? []).flatMap((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? []),
  );
}

const loadedOf = (packages: Set<string>, names: string[]) => names.filter((name) => packages.has(name));

/** A person's journey on the portal for one credential type: the card's address. */
async function obtainCard(configurationId: string): Promise<{ browser: LoopbackBrowser; card: string }> {
  const browser = new LoopbackBrowser();
  const login = await browser.follow(`${portal}/start/${configurationId}`);
  expect(login.status).toBe(200);
  const card = await browser.submit(await login.text(), /\/login$/, AMARA);
  expect(card.status).toBe(200);
  expect(new URL(browser.url).pathname).toMatch(/^\/credentials\/[\w-]+$/);
  return { browser, card: browser.url };
}

beforeAll(async () => {
  const made = await testConfig();
  dataDir = made.dataDir;
  portal = made.config.portal.publicUrl;
  system = await startProcessSystem(made.config, dataDir, ['start'], undefined, {
    cli: ['--import', './test/helpers/loaded-modules.mjs', 'dist/cli.js'],
    env: { LOADED_MODULES_FILE: listFile(), NODE_ENV: 'production' },
  });
}, 200_000);

afterAll(async () => {
  await system?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('what npm start loads, and when', () => {
  it('starts without the PDF, ldp_vc, mdoc, SMTP and Redis libraries (the check sees what it loads)', async () => {
    const packages = await loadedPackages();
    // The observable works: what every request needs is there.
    expect(loadedOf(packages, ['fastify', 'oidc-provider', 'better-sqlite3', 'jose'])).toHaveLength(4);
    expect(loadedOf(packages, Object.values(LAZY).flat())).toEqual([]);
  });

  it('issues and shows an SD-JWT VC card without them', async () => {
    await obtainCard('national_id_sd_jwt');
    expect(loadedOf(await loadedPackages(), Object.values(LAZY).flat())).toEqual([]);
  });

  it('loads the PDF libraries with the first PDF, and only those', async () => {
    const { browser, card } = await obtainCard('national_id_sd_jwt');
    const pdf = await browser.go(`${card}/pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    const packages = await loadedPackages();
    expect(loadedOf(packages, LAZY.pdf)).toEqual(LAZY.pdf);
    expect(loadedOf(packages, [...LAZY.ldp, ...LAZY.mdoc, ...LAZY.unconfigured])).toEqual([]);
  });

  it('loads the JSON-LD and Data Integrity libraries with the first ldp_vc credential', async () => {
    await obtainCard('national_id_ldp_vc');
    const packages = await loadedPackages();
    expect(loadedOf(packages, LAZY.ldp)).toEqual(LAZY.ldp);
    expect(loadedOf(packages, [...LAZY.mdoc, ...LAZY.unconfigured])).toEqual([]);
  });

  it('loads the mdoc library with the first mso_mdoc credential', async () => {
    await obtainCard('driving_licence_mdoc');
    const packages = await loadedPackages();
    expect(loadedOf(packages, LAZY.mdoc)).toEqual(LAZY.mdoc);
    expect(loadedOf(packages, LAZY.unconfigured)).toEqual([]);
  });
});
