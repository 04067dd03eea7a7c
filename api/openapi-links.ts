// OpenAPI links from each 202 (and a created firewall's 201) to what a client does next with its id: how a reader (or schemathesis's stateful
// phase) learns that a launch's id opens its status, its cancel and its private key, and an operation's id its status.

type Responses = Record<string, { links?: Record<string, unknown> } | undefined>;
interface OpenApiDocument {
  paths?: Record<string, Record<string, { responses?: Responses } | undefined> | undefined>;
}

const ref = (path: string, method: string) => `#/paths/${path.replaceAll('~', '~0').replaceAll('/', '~1')}/${method}`;
const byId = (path: string, method: string, description: string) => ({
  operationRef: ref(path, method),
  parameters: { id: '$response.body#/id' },
  description,
});

const LAUNCH_LINKS = {
  GetLaunch: byId('/v1/launches/{id}', 'get', 'the launch: its steps while it runs, its result when done'),
  CancelLaunch: byId('/v1/launches/{id}/cancel', 'post', 'stop the launch; what it made is removed'),
  GetPrivateKey: byId('/v1/launches/{id}/private-key', 'get', 'the private key of a key pair it created, once'),
};
const OPERATION_LINKS = {
  GetOperation: byId('/v1/operations/{id}', 'get', 'the operation: its status, and its result or error when done'),
};

/** A created firewall's id and region lead to its rules and its deletion. */
const inRegion = (path: string, method: string, description: string) => ({
  operationRef: ref(path, method),
  parameters: { id: '$response.body#/id', 'query.region': '$response.body#/region' },
  description,
});
const FIREWALL_LINKS = {
  AddFirewallRules: inRegion('/v1/firewalls/{id}/rules', 'post', 'add inbound rules to the firewall'),
  RemoveFirewallRules: inRegion('/v1/firewalls/{id}/rules', 'delete', 'remove inbound rules from the firewall'),
  DeleteFirewall: inRegion('/v1/firewalls/{id}', 'delete', 'delete the firewall once no server is in it'),
};

/** Every answer that names a workflow it started (or, on a repeat, found), and where its id leads. */
const STARTS: [path: string, method: string, statuses: string[], links: Record<string, unknown>][] = [
  ['/v1/launches', 'post', ['200', '202'], LAUNCH_LINKS],
  ['/v1/images', 'post', ['200', '202'], OPERATION_LINKS],
  ['/v1/images/{id}/clone', 'post', ['200', '202'], OPERATION_LINKS],
  ['/v1/images/{id}', 'delete', ['202'], OPERATION_LINKS],
  ['/v1/servers/{id}', 'delete', ['202'], OPERATION_LINKS],
  ['/v1/servers/{id}/stop', 'post', ['202'], OPERATION_LINKS],
  ['/v1/servers/{id}/start', 'post', ['202'], OPERATION_LINKS],
  ['/v1/servers/{id}/reboot', 'post', ['202'], OPERATION_LINKS],
  ['/v1/reaper/run', 'post', ['202'], OPERATION_LINKS],
  ['/v1/families/{name}/refresh', 'post', ['202'], OPERATION_LINKS],
  // Not a workflow, but a resource the stateful fuzz should go on to change.
  ['/v1/firewalls', 'post', ['201'], FIREWALL_LINKS],
];

/** Adds the links to the generated document; a route that is not there (renamed) fails the test that reads them. */
export function withLinks<T>(document: T): T {
  const paths = (document as OpenApiDocument).paths ?? {};
  for (const [path, method, statuses, links] of STARTS) {
    const responses = paths[path]?.[method]?.responses ?? {};
    for (const status of statuses) {
      const response = responses[status];
      if (response) response.links = { ...response.links, ...links };
    }
  }
  return document;
}
