import {
  WithStartWorkflowOperation,
  WorkflowUpdateFailedError,
  isGrpcServiceError,
  type Client,
} from '@temporalio/client';
import type { BillingCode } from '../../domain/billing-codes';
import {
  LEDGER,
  quotaLedgerId,
  type AdmitRequest,
  type Admission,
  type QuotaLedgerInput,
} from '../../domain/quota-ledger';
import { ApiError } from '../errors';
import { publicText } from '../../domain/public-text';

/** How long an admission may wait for the ledger (a worker must run it) before the API answers 503. */
const ADMISSION_DEADLINE_MS = 15_000;

/** The places of billing codes, as every API replica sees them: one ledger workflow per code (workflows/quota-ledger.ts). */
export interface QuotaPlaces {
  /** Takes a place for the launch, or refuses with the figures; the same launch asked again keeps its one place. */
  admit(code: BillingCode, launchId: string): Promise<Admission>;
  /** Gives a place back at once (a launch that was admitted but never started). */
  release(code: string, launchId: string): Promise<void>;
}

export function temporalQuotaPlaces(client: Client, taskQueue: string): QuotaPlaces {
  return {
    async admit(code, launchId) {
      const request: AdmitRequest = { launchId, billingCode: { code: code.code, quota: code.quota } };
      const input: QuotaLedgerInput = { code: code.code };
      try {
        // Update-with-start: the ledger is started with the first admission, and joined by every later one.
        return await client.withDeadline(Date.now() + ADMISSION_DEADLINE_MS, () =>
          client.workflow.executeUpdateWithStart<(input: QuotaLedgerInput) => Promise<void>, Admission, [AdmitRequest]>(
            LEDGER.admit,
            {
              args: [request],
              startWorkflowOperation: new WithStartWorkflowOperation('quotaLedger', {
                workflowId: quotaLedgerId(code.code),
                taskQueue,
                args: [input],
                workflowIdConflictPolicy: 'USE_EXISTING',
                staticSummary: publicText(`Quota ledger of billing code ${code.code}`),
              }),
            },
          ),
        );
      } catch (err) {
        // No worker within the deadline, or the ledger could not count (the cloud unreachable): try again later.
        const why =
          isGrpcServiceError(err) && err.code === 4 /* DEADLINE_EXCEEDED */
            ? `did not answer within ${ADMISSION_DEADLINE_MS / 1000} s (are the workers running?)`
            : err instanceof WorkflowUpdateFailedError
              ? `could not count the servers charged to it (${err.cause?.message ?? err.message})`
              : undefined;
        if (why)
          throw new ApiError(
            503,
            'quota_ledger_unavailable',
            `the quota ledger of billing code "${code.code}" ${why}; try again`,
          );
        throw err;
      }
    },
    async release(code, launchId) {
      await client.workflow.getHandle(quotaLedgerId(code)).signal(LEDGER.release, { launchId });
    },
  };
}
