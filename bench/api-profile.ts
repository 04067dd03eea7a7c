import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../config/paths';

// Where a server process spent a run (bench/api.ts --profile): a V8 CPU profile summed by package or project file,
// self time (the code itself) and total time (with what it called), as a share of the time not idle.

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The package a script belongs to, the project file (own), or V8's own pseudo-frames ((garbage collector), (program)). */
function placeOf({ url, functionName }: ProfileNode['callFrame']): { place: string; own: boolean } {
  if (!url)
    return {
      place: functionName.startsWith('(') ? functionName : `native ${functionName || '(anonymous)'}`,
      own: false,
    };
  const file = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
  const modules = file.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const [scope, name] = file.slice(modules + 'node_modules/'.length).split('/');
    return { place: scope!.startsWith('@') ? `${scope}/${name}` : scope!, own: false };
  }
  if (!file.startsWith(PROJECT_ROOT)) return { place: 'node (internals)', own: false };
  return { place: path.relative(PROJECT_ROOT, file), own: true };
}

export function summarizeProfile(file: string, top = 12): string[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  // The inspector session that stops the profile shows in it; it is the bench's, not the server's.
  const profilerItself = (id: number) => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at))
      if (byId.get(at)!.callFrame.url === 'node:inspector') return true;
    return false;
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const ownFunctions = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)!;
    const micros = profile.timeDeltas[i] ?? 0;
    if (node.callFrame.functionName === '(idle)' || profilerItself(id)) return;
    busy += micros;
    const { place } = placeOf(node.callFrame);
    self.set(place, (self.get(place) ?? 0) + micros);
    // Each place and project function counts once per sample, however deep it recurses.
    const places = new Set<string>();
    const functions = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      const { place, own } = placeOf(frame);
      places.add(place);
      // tsx's transform leaves no usable line numbers: the function's name and file say enough.
      if (own) functions.add(`${frame.functionName || '(anonymous)'} ${place}`);
    }
    for (const place of places) total.set(place, (total.get(place) ?? 0) + micros);
    for (const fn of functions) ownFunctions.set(fn, (ownFunctions.get(fn) ?? 0) + micros);
  });

  const share = (micros: number) => `${((100 * micros) / busy).toFixed(1).padStart(5)}%`;
  const ranked = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    `  busy ${(busy / 1000).toFixed(0)} ms of the run; self time by place (total time with callees beside it):`,
    ...ranked(self).map(
      ([place, micros]) => `    ${share(micros)} self ${share(total.get(place) ?? 0)} total  ${place}`,
    ),
    '  project functions by total time:',
    ...ranked(ownFunctions).map(([fn, micros]) => `    ${share(micros)}  ${fn}`),
  ];
}
