// The console's only way to the service: the public API, with the operator's key (kept for this browser session).

const KEY_STORAGE = 'machine-images.api-key';

export const apiKey = {
  get: (): string | null => sessionStorage.getItem(KEY_STORAGE),
  set: (key: string) => sessionStorage.setItem(KEY_STORAGE, key),
  clear: () => sessionStorage.removeItem(KEY_STORAGE),
};

/** An answer other than 2xx: its status, the API's code and message, and the request field the message names. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  /**
   * Messages name their field first (`body.volumes.count: …`; several joined by `; `): each field's text, keyed by
   * the dotted path inside the body or query, so the form can show it beside that field.
   */
  get fields(): Record<string, string> {
    const fields: Record<string, string> = {};
    let last: string | undefined;
    for (const part of this.message.split('; ')) {
      const match = /^(?:body|querystring)(?:\.([\w.]+))?: (.*)$/s.exec(part);
      if (match) fields[(last = match[1] ?? '')] = match[2] ?? part;
      else if (/^\w+: /.test(part))
        fields[(last = part.slice(0, part.indexOf(':')))] = part.slice(part.indexOf(':') + 2);
      // A message's own `; ` (`raid5 needs at least 3 disks, not 2; add disks …`) continues the field before it.
      else if (last !== undefined) fields[last] += `; ${part}`;
    }
    return fields;
  }
}

export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const key = apiKey.get();
  const response = await fetch(path, {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (response.status === 401) {
    apiKey.clear();
    window.dispatchEvent(new Event('machine-images:signed-out'));
  }
  const text = await response.text();
  const parsed: unknown =
    text && (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text;
  if (!response.ok) {
    const problem = (parsed ?? {}) as { code?: string; message?: string };
    throw new ApiProblem(
      response.status,
      problem.code ?? String(response.status),
      problem.message ?? response.statusText,
    );
  }
  return parsed as T;
}

/** The PEM of a created key pair, offered once as a file download. */
export async function downloadPrivateKey(launchId: string, fileName: string): Promise<void> {
  savePrivateKey(await api<string>('GET', `/v1/launches/${encodeURIComponent(launchId)}/private-key`), fileName);
}

/** Hands a private key to the browser as `<fileName>.pem`; the page keeps no copy. */
export function savePrivateKey(pem: string, fileName: string): void {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([pem], { type: 'application/x-pem-file' }));
  link.download = `${fileName}.pem`;
  document.body.append(link);
  link.click();
  link.remove();
  // The key exists nowhere else now: some browsers read the object URL after click() returns, so keep it a minute.
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}
