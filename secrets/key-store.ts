// Where secrets live (created private keys, LUKS passphrases, the service's provisioning key): never in workflow
// history or logs. Workflows hold references; activities and the API resolve them here.

/** `launch/<workflow id>/private-key`, `launch/<workflow id>/luks`, `service/provisioning-key`. */
export type SecretRef = string;

export interface KeyStore {
  /** Stores (or replaces) a secret under a reference. */
  put(ref: SecretRef, value: string): Promise<void>;
  get(ref: SecretRef): Promise<string | undefined>;
  /** The stored secret, or `create()`'s, stored first: the same value for every caller, however often retried. */
  getOrCreate(ref: SecretRef, create: () => string): Promise<string>;
  /**
   * Hands a secret out once: the first call returns it and marks it taken; later calls answer 'taken'.
   * For private keys the service made on a person's behalf.
   */
  takeOnce(ref: SecretRef): Promise<string | 'taken' | undefined>;
  /** Whether a secret is there to be handed out, was handed out already, or is not (or no longer) stored; opens nothing. */
  status(ref: SecretRef): Promise<'stored' | 'taken' | 'absent'>;
  delete(ref: SecretRef): Promise<void>;
}

export const secretRefs = {
  privateKey: (workflowId: string): SecretRef => `launch/${workflowId}/private-key`,
  luksPassphrase: (workflowId: string): SecretRef => `launch/${workflowId}/luks`,
  provisioningKey: 'service/provisioning-key' as SecretRef,
};
