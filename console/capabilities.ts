import { useEffect, useState } from 'preact/hooks';
import type { Capabilities } from '../domain/capabilities';
import { api } from './api';

// What the cloud can do in a region (GET /v1/capabilities), so a page offers only that and says why the rest is
// missing. It changes only with the service's configuration, so each region is asked once for the page's life.

export type RegionCapabilities = Capabilities & { provider: string; region: string };

const asked = new Map<string, Promise<RegionCapabilities>>();

export function capabilitiesOf(region: string): Promise<RegionCapabilities> {
  let answer = asked.get(region);
  if (!answer) {
    answer = api<RegionCapabilities>('GET', `/v1/capabilities?region=${encodeURIComponent(region)}`);
    asked.set(region, answer);
    // A failed ask (signed out, the API restarting) is asked again by the next page that needs it.
    answer.catch(() => asked.delete(region));
  }
  return answer;
}

/** The region's capabilities, or undefined while they load or when they could not be read (the API decides then). */
export function useCapabilities(region: string): RegionCapabilities | undefined {
  const [known, setKnown] = useState<RegionCapabilities>();
  useEffect(() => {
    let current = true;
    capabilitiesOf(region).then(
      (capabilities) => current && setKnown(capabilities),
      () => current && setKnown(undefined),
    );
    return () => {
      current = false;
    };
  }, [region]);
  return known?.region === region ? known : undefined;
}
