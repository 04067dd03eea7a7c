import { ProviderError, isProviderError, type ProviderErrorCode } from '../../domain/cloud-errors';

// The one translation from EC2's error codes to our taxonomy (Libcloud's per-driver error mapping).
const EXACT: Record<string, ProviderErrorCode> = {
  'InvalidAMIID.NotFound': 'NotFound',
  'InvalidAMIID.Unavailable': 'NotFound',
  'InvalidInstanceID.NotFound': 'NotFound',
  'InvalidKeyPair.NotFound': 'NotFound',
  'InvalidGroup.NotFound': 'NotFound',
  'InvalidVolume.NotFound': 'NotFound',
  InvalidParameterValue: 'InvalidInput',
  InvalidParameterCombination: 'InvalidInput',
  InvalidParameter: 'InvalidInput',
  MissingParameter: 'InvalidInput',
  InvalidAMIAttributeItemValue: 'InvalidInput',
  'InvalidKeyPair.Duplicate': 'Conflict',
  'InvalidGroup.Duplicate': 'Conflict',
  'InvalidPermission.Duplicate': 'Conflict',
  IncorrectInstanceState: 'Conflict',
  IncorrectState: 'Conflict',
  VolumeInUse: 'Conflict',
  DependencyViolation: 'Conflict',
  RequestLimitExceeded: 'Throttled',
  Throttling: 'Throttled',
  InsufficientInstanceCapacity: 'Unavailable',
  ServiceUnavailable: 'Unavailable',
  InternalError: 'Unavailable',
  Unavailable: 'Unavailable',
  InstanceLimitExceeded: 'QuotaExceeded',
  VolumeLimitExceeded: 'QuotaExceeded',
  AuthFailure: 'InvalidCredentials',
  UnauthorizedOperation: 'InvalidCredentials',
  InvalidClientTokenId: 'InvalidCredentials',
  SignatureDoesNotMatch: 'InvalidCredentials',
  InvalidAction: 'Unsupported',
  UnsupportedOperation: 'Unsupported',
  NotImplemented: 'Unsupported',
};

// Checked in order after EXACT, so RequestLimitExceeded stays Throttled.
const SUFFIXES: [string, ProviderErrorCode][] = [
  ['.NotFound', 'NotFound'],
  ['.Malformed', 'InvalidInput'],
  ['.Duplicate', 'Conflict'],
  ['LimitExceeded', 'QuotaExceeded'],
];

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number; headers?: Record<string, string | undefined> };
}

export function codeFor(ec2Code: string): ProviderErrorCode | undefined {
  return EXACT[ec2Code] ?? SUFFIXES.find(([suffix]) => ec2Code.endsWith(suffix))?.[1];
}

/** The EC2 error code behind a translated error (for the few callers that must tell two Conflicts apart). */
export function ec2CodeOf(err: unknown): string | undefined {
  const cause = isProviderError(err) ? (err.cause as SdkError | undefined) : (err as SdkError | undefined);
  return cause?.name;
}

export function translateEc2Error(err: unknown, operation: string, region: string): ProviderError {
  if (isProviderError(err)) return err;
  const e = (err ?? {}) as SdkError;
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  const where = `EC2 ${operation} in ${region}`;
  const text = e.message ?? String(err);

  if (e.code && NETWORK_CODES.has(e.code)) {
    return new ProviderError(
      'Unavailable',
      `${where} could not reach the endpoint (${e.code}); check AWS_ENDPOINT_URL and the network`,
      { cause: err },
    );
  }
  if (e.name === 'TimeoutError') return new ProviderError('Unavailable', `${where} timed out: ${text}`, { cause: err });
  if (isMotoNotImplemented(e)) {
    return new ProviderError(
      'Unsupported',
      `${where}: the endpoint does not support this call (it answered HTTP 500 with an HTML page, as moto does for actions and options it has not implemented)`,
      { cause: err },
    );
  }
  if (/region is missing/i.test(text)) {
    return new ProviderError('InvalidInput', `${where}: no AWS region is configured; set AWS_REGION or pass a region`, {
      cause: err,
    });
  }

  const ec2Code = e.name ?? 'Unknown';
  const code = codeFor(ec2Code);
  const message = `${where} failed: ${text} (${ec2Code})`;
  if (code === 'Throttled') return new ProviderError(code, message, { cause: err, ...retryAfter(e) });
  if (code) return new ProviderError(code, message, { cause: err });
  return new ProviderError('Unavailable', message, { cause: err, retryable: status !== undefined && status >= 500 });
}

// moto's server raises NotImplementedError for actions it lacks; Flask turns that into an HTML 500 from Werkzeug.
function isMotoNotImplemented(e: SdkError): boolean {
  const headers = e.$response?.headers ?? {};
  return (
    e.$response?.statusCode === 500 &&
    (headers['content-type'] ?? '').startsWith('text/html') &&
    (headers.server ?? '').startsWith('Werkzeug')
  );
}

function retryAfter(e: SdkError): { retryAfter?: number } {
  const seconds = Number(e.$response?.headers?.['retry-after']);
  return Number.isFinite(seconds) && seconds > 0 ? { retryAfter: seconds } : {};
}
