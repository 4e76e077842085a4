import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MODULE_CANDIDATES = [
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so',
];

/** The SoftHSM2 module of the Debian package, if installed. */
export const SOFTHSM_MODULE = MODULE_CANDIDATES.find((path) => existsSync(path));

/** Whether SoftHSM2 is here; in CI (CI=true) its absence is a failure, not a skip. */
export function isSoftHsmAvailable(): boolean {
  if (SOFTHSM_MODULE) return true;
  if (process.env.CI === 'true') throw new Error('softhsm2 is required in CI (apt-get install -y softhsm2)');
  process.stderr.write(
    '\n!!! libsofthsm2.so not found: HSM tests are SKIPPED (apt-get install -y softhsm2; they fail when CI=true) !!!\n\n',
  );
  return false;
}

export interface SoftHsmToken {
  module: string;
  tokenLabel: string;
  pin: string;
  /** The directory holding the token's files (rename it away to pull the token out). */
  dir: string;
  /** Takes the token out (its files move aside) — the module notices at its next C_Initialize. */
  remove(): void;
  /** Puts it back. */
  restore(): void;
  cleanup(): void;
}

/**
 * A token of its own for this test process: SOFTHSM2_CONF points at a temporary directory with its
 * own token store, so engineers and CI runs never share a token. Must run before the module is
 * first initialised in the process (SoftHSM2 reads the variable in C_Initialize).
 */
export function createSoftHsmToken(label = `attesta-${randomBytes(3).toString('hex')}`): SoftHsmToken {
  const module = SOFTHSM_MODULE;
  if (!module) throw new Error('softhsm2 is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'attesta-softhsm-'));
  const tokens = join(dir, 'tokens');
  const aside = join(dir, 'aside');
  mkdirSync(tokens);
  mkdirSync(aside);
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  process.env.SOFTHSM2_CONF = conf;
  const pin = randomBytes(6).toString('hex');
  execFileSync(
    'softhsm2-util',
    ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', randomBytes(6).toString('hex')],
    { env: { ...process.env, SOFTHSM2_CONF: conf }, stdio: 'ignore' },
  );
  const move = (from: string, to: string) => {
    for (const name of readdirSync(from)) renameSync(join(from, name), join(to, name));
  };
  return {
    module,
    tokenLabel: label,
    pin,
    dir,
    remove: () => move(tokens, aside),
    restore: () => move(aside, tokens),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
