/**
 * PKCS#11 return values (PKCS#11 v2.40 §11.1) that mean the token, its session or its login went
 * away — a network HSM that dropped the connection, a token pulled out, a module reinitialised —
 * as opposed to a request the token refuses (a wrong mechanism, bad data), which is a bug.
 */
const TOKEN_FAULTS = new Map<number, string>([
  [0x03, 'CKR_SLOT_ID_INVALID'],
  [0x05, 'CKR_GENERAL_ERROR'],
  [0x06, 'CKR_FUNCTION_FAILED'],
  [0x30, 'CKR_DEVICE_ERROR'],
  [0x31, 'CKR_DEVICE_MEMORY'],
  [0x32, 'CKR_DEVICE_REMOVED'],
  [0x60, 'CKR_KEY_HANDLE_INVALID'],
  [0x82, 'CKR_OBJECT_HANDLE_INVALID'],
  [0xa0, 'CKR_PIN_INCORRECT'],
  [0xa4, 'CKR_PIN_LOCKED'],
  [0xb0, 'CKR_SESSION_CLOSED'],
  [0xb3, 'CKR_SESSION_HANDLE_INVALID'],
  [0xe0, 'CKR_TOKEN_NOT_PRESENT'],
  [0xe1, 'CKR_TOKEN_NOT_RECOGNIZED'],
  [0x101, 'CKR_USER_NOT_LOGGED_IN'],
  [0x190, 'CKR_CRYPTOKI_NOT_INITIALIZED'],
]);

interface NativeFault {
  code?: number;
  method?: string;
  message?: string;
  timeout?: boolean;
}

/** A fault of the token or its connection (reconnect and retry later), not a refused request. */
export function isTokenFault(error: unknown): boolean {
  const fault = error as NativeFault | undefined;
  if (!fault || typeof fault !== 'object') return false;
  if (fault.timeout) return true;
  if (typeof fault.code === 'number') return TOKEN_FAULTS.has(fault.code);
  // pkcs11js NativeError without a PKCS#11 code: the module itself failed.
  return (error as Error).name === 'NativeError' || typeof fault.method === 'string';
}

/** A short reason for logs and readiness: the PKCS#11 function and return value, nothing else. */
export function describeFault(error: unknown): string {
  const fault = error as NativeFault;
  if (fault?.timeout) return fault.message ?? 'no answer';
  const name =
    typeof fault?.code === 'number'
      ? (TOKEN_FAULTS.get(fault.code) ?? `0x${fault.code.toString(16)}`)
      : undefined;
  const where = fault?.method ? `${fault.method}: ` : '';
  return `${where}${name ?? (error as Error)?.message ?? 'failed'}`;
}
