import { readFileSync } from 'node:fs';

/** Where the user PIN comes from: an environment variable or a file (a mounted secret). Never config text. */
export interface PinSource {
  env?: string;
  file?: string;
}

/**
 * Reads the PIN each time the token is (re)connected, so a rotated PIN file is picked up without a
 * restart. The PIN itself never appears in an error message or a log line.
 */
export function readPin(source: PinSource, env: NodeJS.ProcessEnv = process.env): string {
  if (source.env) {
    const value = env[source.env];
    if (!value) throw new Error(`the PIN variable ${source.env} is not set`);
    return value.trim();
  }
  if (source.file) {
    let text: string;
    try {
      text = readFileSync(source.file, 'utf8');
    } catch (error) {
      throw new Error(
        `the PIN file ${source.file} cannot be read (${(error as NodeJS.ErrnoException).code})`,
      );
    }
    const pin = text.replace(/\r?\n$/, '');
    if (!pin) throw new Error(`the PIN file ${source.file} is empty`);
    return pin;
  }
  throw new Error('no PIN source: set keys.pkcs11.pin.env or keys.pkcs11.pin.file');
}
