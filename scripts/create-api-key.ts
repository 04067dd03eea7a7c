import { parseArgs } from 'node:util';
import { hashApiKey, newApiKeyToken, ApiKeyEntrySchema } from '../api/auth/api-keys';

// `npm run api-key -- --principal alice --role operator --groups web,data`: a new key, and the entry for API_KEYS_FILE.
// The key is printed once, here; the file keeps only its hash.

function run(): void {
  const { values } = parseArgs({
    options: {
      principal: { type: 'string' },
      role: { type: 'string', default: 'viewer' },
      groups: { type: 'string', default: '' },
    },
  });
  const token = newApiKeyToken();
  const entry = ApiKeyEntrySchema.safeParse({
    principal: values.principal,
    role: values.role,
    groups: values.groups
      .split(',')
      .map((g) => g.trim())
      .filter(Boolean),
    sha256: hashApiKey(token),
  });
  if (!entry.success) {
    const problems = entry.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`);
    console.error(
      `${problems.join('\n')}\nusage: npm run api-key -- --principal NAME --role viewer|operator|admin --groups g1,g2 (or '*')`,
    );
    process.exit(2);
  }
  console.log(`API key for ${entry.data.principal} (give it to them now; it is not stored anywhere):\n  ${token}\n`);
  console.log(
    `Add this entry to the "keys" array of API_KEYS_FILE and restart the API:\n  ${JSON.stringify(entry.data)}`,
  );
}

run();
