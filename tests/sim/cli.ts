/**
 * `npm run sim`: runs the provider simulator until SIGINT/SIGTERM.
 *
 *   ROTARY_SIM_PORT=4545 npm run sim -- --accounts anthropic:3,openai:2,github-copilot:1
 *
 * Prints the base URL (use it as ROTARY_UPSTREAM), then one JSON line per created account
 * with its credentials, so a shell script or the demo can pick them up.
 */
import { SIM_PROVIDERS, startSimulator, type SimProvider } from './server.js';

function parseAccounts(spec: string): Array<[SimProvider, number]> {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((part) => {
      const [name = '', n = '1'] = part.split(':');
      const provider = name as SimProvider;
      const count = Number(n);
      if (!SIM_PROVIDERS.includes(provider)) throw new Error(`unknown provider "${name}" (use ${SIM_PROVIDERS.join(', ')})`);
      if (!Number.isInteger(count) || count < 0) throw new Error(`bad count in "${part}"`);
      return [provider, count];
    });
}

function argValue(args: string[], flag: string): string | undefined {
  const i = args.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
  if (i < 0) return undefined;
  const a = args[i] ?? '';
  return a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[i + 1];
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log('usage: npm run sim -- [--accounts anthropic:3,openai:2,github-copilot:1] [--port N]');
    console.log('port: --port, else ROTARY_SIM_PORT, else 4545. Control API: GET/POST /__sim/accounts, PATCH /__sim/accounts/:id');
    return;
  }
  const spec = argValue(args, '--accounts');
  const plan = spec ? parseAccounts(spec) : [];
  const port = Number(argValue(args, '--port') ?? process.env.ROTARY_SIM_PORT ?? 4545);
  const sim = await startSimulator({ port });
  console.log(`Rotary provider simulator listening on ${sim.url}`);
  console.log(`ROTARY_UPSTREAM=${sim.url}`);
  for (const [provider, n] of plan) {
    for (let i = 0; i < n; i++) {
      const acc = sim.addAccount(provider);
      console.log(
        JSON.stringify({ id: acc.id, provider: acc.provider, email: acc.email, login: acc.login, accountId: acc.accountId, credentials: acc.credentials() }),
      );
    }
  }
  const stop = (signal: string): void => {
    console.log(`\n${signal}: stopping simulator`);
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
