import { PemConverter } from '@peculiar/x509';

/** One certificate as PEM (RFC 7468 §5). */
export function derToPem(der: Uint8Array): string {
  return `${PemConverter.encode(Buffer.from(der), 'CERTIFICATE')}\n`;
}

/** Every certificate of a PEM bundle (or one DER certificate), leaf first as given. */
export function certificatesFromPem(input: string | Uint8Array): Buffer[] {
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
  if (!text.includes('-----BEGIN')) return [Buffer.from(input)];
  return PemConverter.decodeWithHeaders(text)
    .filter((block) => block.type === 'CERTIFICATE')
    .map((block) => Buffer.from(block.rawData));
}
