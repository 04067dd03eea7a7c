// One error taxonomy for every driver (Libcloud's shared error classes); activities decide retries from `retryable`.
export type ProviderErrorCode =
  | 'NotFound'
  | 'InvalidInput'
  | 'QuotaExceeded'
  | 'Conflict'
  | 'Throttled'
  | 'Unavailable'
  | 'Unsupported'
  | 'InvalidCredentials';

const RETRYABLE: Record<ProviderErrorCode, boolean> = {
  NotFound: false,
  InvalidInput: false,
  QuotaExceeded: false,
  Conflict: false,
  Throttled: true,
  Unavailable: true,
  Unsupported: false,
  InvalidCredentials: false,
};

export class ProviderError extends Error {
  override name = 'ProviderError';
  readonly retryable: boolean;
  /** Seconds the cloud asked us to wait before trying again (throttling). */
  readonly retryAfter?: number;

  constructor(
    readonly code: ProviderErrorCode,
    message: string,
    options: { retryable?: boolean; retryAfter?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable ?? RETRYABLE[code];
    if (options.retryAfter !== undefined) this.retryAfter = options.retryAfter;
  }
}

export const isProviderError = (err: unknown): err is ProviderError => err instanceof ProviderError;

/** Whether the cloud answered with this code (a NotFound during cleanup, a Conflict on a name). */
export const hasCloudCode = (err: unknown, code: ProviderErrorCode): boolean =>
  isProviderError(err) && err.code === code;
