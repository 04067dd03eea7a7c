import type { LaunchRequest } from '../domain/launch-request';
import type { CloudProvider } from '../providers/cloud-provider';
import { preflight } from './preflight';

export interface ActivityDeps {
  provider: CloudProvider;
}

/** Every activity of the service, bound to its dependencies; the worker registers the result. */
export const createActivities = (deps: ActivityDeps) => ({
  async preflight(request: LaunchRequest) {
    return preflight(deps.provider, request);
  },
});

export type Activities = ReturnType<typeof createActivities>;
