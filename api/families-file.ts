import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../config/config';
import { FamilySchema, type Family } from '../domain/families';

const FamiliesFileSchema = z.array(FamilySchema).superRefine((families, ctx) => {
  const seen = new Set<string>();
  families.forEach((family, index) => {
    if (seen.has(family.name))
      ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `"${family.name}" is defined twice` });
    seen.add(family.name);
  });
});

/** The families of FAMILIES_FILE; anything wrong throws a ConfigError naming the file and each field at fault. */
export function readFamiliesFile(file: string): Family[] {
  const fail = (problem: string) =>
    new ConfigError(
      `FAMILIES_FILE ${file}: ${problem}\nFix the file (a JSON array of families, as POST /v1/families takes them) and start again.`,
    );
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw fail(`cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw fail(`is not JSON: ${(err as Error).message}`);
  }
  const parsed = FamiliesFileSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  throw fail(
    parsed.error.issues
      .map(
        (issue) =>
          `${issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('') || '(the whole file)'}: ${issue.message}`,
      )
      .join('; '),
  );
}
