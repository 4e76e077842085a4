import { createHmac, randomInt } from 'node:crypto';

export const OTP_LENGTH = 6;

/** A uniformly random 6-digit code. */
export const generateCode = (): string => String(randomInt(0, 10 ** OTP_LENGTH)).padStart(OTP_LENGTH, '0');

/** The stored form of a code: keyed and bound to the sign-in request, so a row alone reveals nothing. */
export const codeHash = (key: Buffer, interactionUid: string, code: string): string =>
  createHmac('sha256', key).update(`otp\u0000${interactionUid}\u0000${code}`, 'utf8').digest('hex');

const maskPart = (part: string) =>
  part.length <= 2 ? `${part[0] ?? ''}•` : `${part[0]}${'•'.repeat(part.length - 2)}${part.at(-1)}`;

/** `amara.okafor@example.org` → `a••••••••••r@e•••••e.org` (the domain is personal data too). */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  const local = email.slice(0, Math.max(at, 0));
  const domain = email.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  const host = dot > 0 ? domain.slice(0, dot) : domain;
  const tld = dot > 0 ? domain.slice(dot) : '';
  return `${maskPart(local)}@${maskPart(host)}${tld}`;
}

/** `+99798935572` → `+•••••••5572` (the last four digits). */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/[^0-9]/g, '');
  return `${phone.trim().startsWith('+') ? '+' : ''}${'•'.repeat(Math.max(digits.length - 4, 3))}${digits.slice(-4)}`;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/**
 * A plausible masked destination for an ID the registry does not know (or one without contact
 * details), derived from a keyed hash of the ID: the page looks the same for known and unknown IDs,
 * and the same ID always shows the same mask.
 */
export function decoyDestination(idHash: string, channel: 'email' | 'phone'): string {
  const n = (i: number) => Number.parseInt(idHash.slice(i * 2, i * 2 + 2), 16);
  if (channel === 'phone') {
    const digits = String(n(0) * 256 + n(1))
      .slice(-4)
      .padStart(4, '0');
    return `+${'•'.repeat(7 + (n(2) % 3))}${digits}`;
  }
  const letter = (i: number) => LETTERS[n(i) % LETTERS.length];
  return `${letter(0)}${'•'.repeat(4 + (n(1) % 8))}${letter(2)}@${letter(3)}${'•'.repeat(3 + (n(4) % 6))}${letter(5)}.${['org', 'com', 'net'][n(6) % 3]}`;
}
