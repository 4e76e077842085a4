import { hashPassword } from '../authz/factors/password.js';
import { PASSWORD_USAGE } from './usage.js';

async function readStdin(input: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * `attesta password-hash`: the hash the password factor verifies (scrypt, docs/authz.md), for an
 * operator filling a registry. The password comes from stdin (never argv: it would show in `ps`).
 */
export async function passwordHashCommand(
  args: string[],
  out: (line: string) => void,
  input: NodeJS.ReadableStream = process.stdin,
): Promise<number> {
  if (args.length) {
    out(`usage:\n${PASSWORD_USAGE}`);
    return 2;
  }
  const password = (await readStdin(input)).replace(/\r?\n$/, '');
  if (!password) {
    out('no password on stdin');
    return 2;
  }
  out(await hashPassword(password));
  return 0;
}
