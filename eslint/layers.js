import path from 'node:path';

// Layers only point down: api → workflows (types only) → activities → providers → guest → domain, with secrets
// and config below them. Each layer names the top-level folders it may import from; worker/ and scripts/ sit on
// top and no layer imports them. A relative import is resolved to the folder it lands in, so `../api` from the
// console's pages (its own api.ts) is told apart from the API.
export const LAYERS = {
  domain: { may: [] },
  config: { may: ['domain'] },
  secrets: { may: ['domain', 'config'] },
  guest: { may: ['domain', 'config'] },
  providers: { may: ['domain', 'config', 'guest'] },
  activities: { may: ['domain', 'config', 'secrets', 'guest', 'providers'] },
  workflows: { may: ['domain'], typesFrom: ['activities', 'providers', 'guest'] },
  console: { may: ['domain'] },
  api: { may: ['domain', 'config', 'secrets', 'providers'], typesFrom: ['workflows', 'activities', 'guest'] },
};

/** Cloud drivers under providers/: none imports another; what the local ones share is in providers/local/. */
export const DRIVERS = ['aws', 'qemu', 'sim'];

/** The composition root: it builds every layer from the settings, so it may import any of them. */
export const COMPOSITION_ROOTS = ['config/dependencies.ts'];

const TOP = new Set([...Object.keys(LAYERS), 'worker', 'scripts']);

const isTypeOnly = (node) =>
  node.importKind === 'type' ||
  node.exportKind === 'type' ||
  (node.specifiers?.length > 0 && node.specifiers.every((s) => s.importKind === 'type' || s.exportKind === 'type'));

export const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'layers only point down' },
    messages: {
      down: '{{from}}/ may not import {{to}}/: layers only point down (api → workflows → activities → providers → guest → domain; secrets and config below them)',
      typesOnly: '{{from}}/ imports only types from {{to}}/',
      driver: 'providers/{{from}}/ may not import providers/{{to}}/: drivers share code only through providers/local/',
    },
    schema: [],
  },
  create(context) {
    const file = path.relative(context.cwd, context.filename);
    const from = file.split(path.sep)[0];
    const layer = LAYERS[from];
    if (!layer || COMPOSITION_ROOTS.includes(file)) return {};
    const check = (node, source) => {
      const spec = source?.value;
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const [to, toSub] = path
        .relative(context.cwd, path.resolve(path.dirname(context.filename), spec))
        .split(path.sep);
      const fromSub = file.split(path.sep)[1];
      if (
        from === 'providers' &&
        to === 'providers' &&
        (DRIVERS.includes(fromSub) || fromSub === 'local') &&
        DRIVERS.includes(toSub) &&
        toSub !== fromSub
      ) {
        context.report({ node, messageId: 'driver', data: { from: fromSub, to: toSub } });
        return;
      }
      if (to === from || !TOP.has(to) || layer.may.includes(to)) return;
      const typesFrom = layer.typesFrom ?? [];
      if (typesFrom.includes(to) && isTypeOnly(node)) return;
      context.report({ node, messageId: typesFrom.includes(to) ? 'typesOnly' : 'down', data: { from, to } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
    };
  },
};
