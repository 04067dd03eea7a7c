// One error taxonomy for every driver (Libcloud's shared error classes); activities decide retries from `retryable`.
export type ProviderErrorCode =
  | 'NotFound'
  | 'InvalidInput'
  | 'QuotaExceeded'
  | 'Conflict'
  | 'Throttled'
  | 'Unavailable'
  | 'Unsupported';

const RETRYABLE: Record<ProviderErrorCode, boolean> = {
  NotFound: false,
  InvalidInput: false,
  QuotaExceeded: false,
  Conflict: false,
  Throttled: true,
  Unavailable: true,
  Unsupported: false,
};

export class ProviderError extends Error {
  override name = 'ProviderError';
  readonly retryable: boolean;

  constructor(
    readonly code: ProviderErrorCode,
    message: string,
    options: { retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable ?? RETRYABLE[code];
  }
}

export const isProviderError = (err: unknown): err is ProviderError => err instanceof ProviderError;
