import { useState } from 'preact/hooks';
import { savePrivateKey } from '../api';

// The private key of a key pair just created: the API hands it out in its answer only, so this is the one chance to
// keep it, as a file (as a launch's key is offered, launch-private-key.tsx) or on the clipboard.

export function KeypairPrivateKey({ keypairName, pem }: { keypairName: string; pem: string }) {
  const [saved, setSaved] = useState<'file' | 'clipboard'>();
  const [problem, setProblem] = useState<string>();

  async function copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(pem);
      setSaved('clipboard');
    } catch (err) {
      setProblem(`the browser did not let the page copy (${(err as Error).message}); download the file instead`);
    }
  }

  return (
    <section aria-labelledby="private-key-heading">
      <h3 id="private-key-heading">Private key</h3>
      <p class="hint">
        Key pair <code>{keypairName}</code> was created. Its private key is handed out once, now: save it before you
        close this dialog.
      </p>
      <div class="dialog-actions">
        <button
          type="button"
          class="primary"
          onClick={() => {
            savePrivateKey(pem, keypairName);
            setSaved('file');
          }}
        >
          Download private key
        </button>
        <button type="button" onClick={() => void copy()}>
          Copy private key
        </button>
      </div>
      <p role="status" aria-live="polite">
        {saved === 'file' &&
          `The private key was handed out as ${keypairName}.pem; the service keeps no copy to give again.`}
        {saved === 'clipboard' && 'The private key is on the clipboard; the service keeps no copy to give again.'}
      </p>
      {problem && (
        <p class="field-error" role="alert">
          {problem}
        </p>
      )}
    </section>
  );
}
