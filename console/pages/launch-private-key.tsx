import { useState } from 'preact/hooks';
import { ApiProblem, downloadPrivateKey } from '../api';

type KeyState = 'offered' | 'fetching' | 'handed-out' | 'gone' | 'no-longer';

/**
 * The private key of the key pair a launch created: the service hands it out once, so the button is offered until
 * it is used, and then the page says where it went.
 */
export function LaunchPrivateKey({
  launchId,
  keypairName,
  available,
}: {
  launchId: string;
  keypairName: string;
  available: boolean;
}) {
  const [state, setState] = useState<KeyState>(available ? 'offered' : 'no-longer');
  const [problem, setProblem] = useState<string>();

  async function download() {
    setState('fetching');
    setProblem(undefined);
    try {
      await downloadPrivateKey(launchId, keypairName);
      setState('handed-out');
    } catch (err) {
      if (err instanceof ApiProblem && err.status === 410) return setState('gone');
      setState('offered');
      setProblem((err as Error).message);
    }
  }

  return (
    <section aria-labelledby="private-key-heading">
      <h3 id="private-key-heading">Private key</h3>
      {(state === 'offered' || state === 'fetching') && (
        <>
          <p class="hint">
            Key pair <code>{keypairName}</code> was created for this launch. Its private key is handed out once: save
            the file.
          </p>
          <button type="button" class="primary" onClick={() => void download()} disabled={state === 'fetching'}>
            Download private key
          </button>
        </>
      )}
      <p role="status" aria-live="polite">
        {state === 'handed-out' &&
          `The private key was handed out as ${keypairName}.pem; the service keeps no copy to give again.`}
        {state === 'gone' &&
          'The private key was already handed out; it is given once. If it is lost, launch with a key pair of your own.'}
        {state === 'no-longer' &&
          'The private key was already handed out, or deleted with its server’s key pair; it is given once.'}
      </p>
      {problem && (
        <p class="field-error" role="alert">
          {problem}
        </p>
      )}
    </section>
  );
}
