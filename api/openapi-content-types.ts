// Answers that are not JSON, declared as they are sent: the generator documents every response as JSON, and a
// client (or schemathesis) would otherwise read a PEM download as an undocumented content type.

type Response = { content?: Record<string, unknown> } | undefined;
interface OpenApiDocument {
  paths?: Record<string, Record<string, { responses?: Record<string, Response> } | undefined> | undefined>;
}

const NOT_JSON: [path: string, method: string, status: string, contentType: string, description: string][] = [
  ['/v1/launches/{id}/private-key', 'get', '200', 'application/x-pem-file', 'the PEM text'],
];

/** Replaces the JSON content of each listed answer by its real content type. */
export function withContentTypes<T>(document: T): T {
  const paths = (document as OpenApiDocument).paths ?? {};
  for (const [path, method, status, contentType, description] of NOT_JSON) {
    const response = paths[path]?.[method]?.responses?.[status];
    if (response) response.content = { [contentType]: { schema: { type: 'string', description } } };
  }
  return document;
}
