// Digital Bazaar's base58 (plain JavaScript, no types): Bitcoin alphabet.
declare module 'base58-universal' {
  export function encode(input: Uint8Array, maxline?: number): string;
  /** undefined when the input has a character outside the alphabet. */
  export function decode(input: string): Uint8Array | undefined;
}
