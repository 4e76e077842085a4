/**
 * Template leaves that are plain member paths (`givenName`, `address.locality`) — most of them — are
 * read directly instead of through JSONata's evaluator, with JSONata's answer: a member path over
 * objects yields the member's value. Only when every step meets an object and the value found is a
 * string, number, boolean or missing; anything else (arrays, which JSONata maps and flattens, or an
 * object value) is left to JSONata, so the two never differ (test/issuer/templates.test.ts compares them).
 */

/** Names JSONata reads as operators or literals, not as member names. */
const RESERVED = new Set(['and', 'or', 'in', 'true', 'false', 'null', 'function']);
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The member names of a plain path expression, or undefined when the expression is anything else. */
export function plainPath(expression: string): string[] | undefined {
  const names = expression.trim().split('.');
  return names.every((name) => NAME.test(name) && !RESERVED.has(name)) ? names : undefined;
}

/** `{value}` read along the path, or undefined when JSONata must decide (an array or object on the way or at the end). */
export function readPlainPath(record: unknown, names: readonly string[]): { value: unknown } | undefined {
  let node = record;
  for (const name of names) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
    if (!Object.hasOwn(node, name)) return { value: undefined };
    node = (node as Record<string, unknown>)[name];
  }
  if (node === undefined || node === null) return { value: node };
  const type = typeof node;
  return type === 'string' || type === 'number' || type === 'boolean' ? { value: node } : undefined;
}

/** A JSONata string literal without escapes (`'XA'`, `"XA"`): its value, or undefined for anything else. */
export function stringLiteral(expression: string): { value: string } | undefined {
  const literal = /^\s*(?:'([^'\\]*)'|"([^"\\]*)")\s*$/.exec(expression);
  return literal ? { value: literal[1] ?? literal[2] ?? '' } : undefined;
}

/**
 * `$name(path)`: a call of a bound function with one plain member path as its argument (`$date(birthDate)`),
 * as the function's name and the path's names; undefined for anything else.
 */
export function callOnPlainPath(expression: string): { name: string; argument: string[] } | undefined {
  const call = /^\s*\$([A-Za-z_][A-Za-z0-9_]*)\(([^()]*)\)\s*$/.exec(expression);
  const argument = call?.[2] !== undefined ? plainPath(call[2]) : undefined;
  return call?.[1] && argument ? { name: call[1], argument } : undefined;
}
