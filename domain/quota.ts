// A billing code's quota, judged without zod: workflows (the quota ledger) bundle this, and zod stays out of the bundle.

/** What a quota verdict needs of a billing code. */
export interface QuotaOf {
  code: string;
  /** Servers (not terminated) charged to the code: over `soft` warns, over `hard` refuses. */
  quota: { soft?: number | undefined; hard?: number | undefined };
}

export type QuotaVerdict = { allowed: true; warning?: string } | { allowed: false; message: string };

/** Whether one more server fits the code's quota, given how many it has now. */
export function quotaVerdict(code: QuotaOf, running: number): QuotaVerdict {
  const after = running + 1;
  const { soft, hard } = code.quota;
  if (hard !== undefined && after > hard) {
    return {
      allowed: false,
      message: `billing code "${code.code}" is at its hard quota (${running}/${hard} servers); choose another code, terminate servers charged to it, or ask an admin to raise the quota`,
    };
  }
  if (soft !== undefined && after > soft) {
    return {
      allowed: true,
      warning: `billing code "${code.code}" is over its soft quota: ${after} servers with this launch, soft quota ${soft}${hard !== undefined ? `, hard quota ${hard}` : ''}`,
    };
  }
  return { allowed: true };
}
