/**
 * Child process for the cross-process refresh test: opens the same ROTARY_HOME and keychain
 * service as the parent and asks for a refresh after a 401 with the credential the parent saw.
 * Prints the resulting fingerprint (never the token).
 */
import { openCore } from '../../electron/core/runtime.js';
import { createKeytarVault } from '../../electron/core/pool/vault-keytar.js';
import { createTokenManager } from '../../electron/core/providers/token-manager.js';

const env = process.env;
const core = await openCore({ env, home: env.ROTARY_HOME!, vault: createKeytarVault(env.TEST_VAULT_SERVICE!), reconcile: false });
const tokens = createTokenManager({ pool: core.pool, env });
const results = await Promise.all(
  Array.from({ length: 10 }, () => tokens.refreshAfter401('anthropic', env.TEST_RECORD_ID!, { headers: {}, fingerprint: env.TEST_FAILED_FINGERPRINT! })),
);
process.stdout.write(`${JSON.stringify([...new Set(results.map((r) => r.fingerprint))])}\n`);
await core.close();
