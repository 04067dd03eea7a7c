import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import type { FamilyVersion } from '../types';

/** The family's versions in the console's region: its own images tagged with it, newest first. */
export function FamilyVersions({ name, region, reloads }: { name: string; region: string; reloads: number }) {
  const [versions, setVersions] = useState<FamilyVersion[]>();
  const [problem, setProblem] = useState<string>();

  useEffect(() => {
    let stale = false;
    api<{ items: FamilyVersion[] }>(
      'GET',
      `/v1/families/${encodeURIComponent(name)}/versions?region=${encodeURIComponent(region)}`,
    ).then(
      ({ items }) => {
        if (stale) return;
        setVersions(items);
        setProblem(undefined);
      },
      (err: Error) => {
        if (!stale) setProblem(err.message);
      },
    );
    return () => {
      stale = true;
    };
  }, [name, region, reloads]);

  return (
    <section aria-labelledby="family-versions-heading">
      <h3 id="family-versions-heading">Versions in {region}</h3>
      {problem && (
        <p class="field-error" role="alert">
          {problem}
        </p>
      )}
      {versions?.length === 0 && <p class="hint">No versions in {region} yet.</p>}
      {versions && versions.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Image</th>
              <th scope="col">State</th>
              <th scope="col">Created</th>
              <th scope="col">Built from</th>
            </tr>
          </thead>
          <tbody>
            {versions.map((version) => (
              <tr key={version.imageId}>
                <td>{version.version}</td>
                <td>{version.imageId}</td>
                <td class={version.state === 'deprecated' ? 'deprecated' : undefined}>{version.state}</td>
                <td>
                  {new Date(version.createdAt).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' })}
                </td>
                <td>{version.sourceImageId ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
