/**
 * A fresh Idempotency-Key for one dialog, so a double submit or a retry starts one operation, not two.
 * crypto.randomUUID exists only in secure contexts (https, localhost); getRandomValues works on plain http too.
 */
export function newIdempotencyKey(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
