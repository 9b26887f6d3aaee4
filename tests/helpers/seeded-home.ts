/**
 * A ROTARY_HOME (file secret backend) holding one Anthropic account of the simulator, written
 * with the real pool, for tests that then start the real `rotary gateway` on it in a child process.
 */
import { openCore } from '../../electron/core/runtime.js';
import type { Simulator } from '../sim/server.js';
import { makeTempHome } from './temp-home.js';

export async function homeWithAnthropicAccount(sim: Simulator, prefix: string): Promise<{ home: string; cleanup: () => void }> {
  const temp = makeTempHome(prefix);
  const core = await openCore({ env: { ROTARY_HOME: temp.home, ROTARY_SECRET_BACKEND: 'file' }, home: temp.home, warn: () => undefined });
  const c = sim.addAccount('anthropic').credentials();
  await core.pool.add({ providerID: 'anthropic', accountId: c.accountId, secret: { access: c.access, refresh: c.refresh!, expires: c.expires! } });
  await core.close();
  return temp;
}
