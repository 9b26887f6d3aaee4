/**
 * `rotary config get [key] [--json]` and `rotary config set <key> <value>`: the settings the
 * app's Settings show (rotation policy, forecast lead time, proactive threshold), stored in
 * rotary.json, so the app, `rotary gateway` and every command follow a change. An environment
 * variable that decides a setting (ROTARY_ROTATION_POLICY, ROTARY_FORECAST_LEAD_MINUTES) is
 * named beside it.
 */
import { ROTATION_POLICIES } from '../../shared/activity.js';
import type { RotationSettingsView } from '../../shared/forecast.js';
import type { Settings } from '../core/pool/store-schema.js';
import { rotationEnv } from '../core/rotation/policy.js';
import { rotationSettingsView } from '../core/service/forecast-views.js';
import { describeArg, HELP_OPTION, parseCommand } from './args.js';
import type { Command } from './command.js';
import { withCore } from './context.js';
import { EXIT_OK, printHelp, println, UsageError } from './io.js';

interface ConfigKey {
  key: string;
  field: keyof Settings;
  envField?: keyof RotationSettingsView['fromEnv'];
  help: string;
  parse(value: string): Settings[keyof Settings];
  show(value: Settings[keyof Settings]): string;
}

const KEYS: ConfigKey[] = [
  {
    key: 'rotation.policy',
    field: 'rotationPolicy',
    envField: 'rotationPolicy',
    help: `${ROTATION_POLICIES.join(' | ')}: which account a new conversation starts on`,
    parse(value) {
      if (!(ROTATION_POLICIES as readonly string[]).includes(value)) throw new UsageError(`rotation.policy must be ${ROTATION_POLICIES.join(' or ')}, not ${describeArg(value)}`);
      return value as Settings['rotationPolicy'];
    },
    show: String,
  },
  {
    key: 'forecast.leadMinutes',
    field: 'forecastLeadMinutes',
    envField: 'forecastLeadMinutes',
    help: '1–1440: warn this many minutes before a forecast limit; drain-soonest avoids such accounts',
    parse(value) {
      const n = Number(value);
      if (!/^\d+$/.test(value) || n < 1 || n > 1440) throw new UsageError(`forecast.leadMinutes must be a whole number of minutes from 1 to 1440, not ${describeArg(value)}`);
      return n;
    },
    show: String,
  },
  {
    key: 'rotation.proactiveThreshold',
    field: 'proactiveThreshold',
    help: '0–1 or 0–100%: active-first moves new conversations off an account whose 5-hour window is above it',
    parse(value) {
      const percent = value.endsWith('%');
      const n = Number(percent ? value.slice(0, -1) : value) / (percent ? 100 : 1);
      if (!/^\d+(\.\d+)?%?$/.test(value) || !(n >= 0 && n <= 1)) throw new UsageError(`rotation.proactiveThreshold must be a fraction from 0 to 1 (or a percentage like 95%), not ${describeArg(value)}`);
      return n;
    },
    show: (v) => String(v),
  },
];

const KEY_LIST = KEYS.map((k) => k.key).join(', ');

function findKey(word: string): ConfigKey {
  const found = KEYS.find((k) => k.key === word);
  if (!found) throw new UsageError(`unknown setting ${describeArg(word)}`, `known: ${KEY_LIST}`);
  return found;
}

/** `rotation.policy = drain-soonest` (+ the variable that overrides it). */
function line(k: ConfigKey, view: RotationSettingsView): string {
  const stored = k.show(view.stored[k.field] as never);
  const env = k.envField ? view.fromEnv[k.envField] : undefined;
  if (!env) return `${k.key} = ${stored}`;
  return `${k.key} = ${k.show(view.effective[k.field] as never)}  (set by ${env}; stored: ${stored})`;
}

export const config: Command = {
  name: 'config',
  summary: 'show or change settings (rotation policy, forecast lead time)',
  help: `Usage: rotary config get [key] [--json]
       rotary config set <key> <value>

Shows or changes Rotary's settings. They are kept in rotary.json in the Rotary folder, so the
app, \`rotary gateway\` and every command use the same ones (a running gateway follows a change).

Keys:
${KEYS.map((k) => `  ${k.key.padEnd(28)} ${k.help}`).join('\n')}

Environment (wins over the stored value where set):
  ROTARY_ROTATION_POLICY        rotation.policy
  ROTARY_FORECAST_LEAD_MINUTES  forecast.leadMinutes

Examples:
  rotary config set rotation.policy drain-soonest
  rotary config set forecast.leadMinutes 45
  rotary config get --json

Options:
  --json      machine-readable output
  -h, --help  show this help`,
  async run(argv, io) {
    const { values, positionals } = parseCommand('config', { args: argv, options: { ...HELP_OPTION, json: { type: 'boolean' } }, strict: true, allowPositionals: true }, 3);
    if (values.help) return printHelp(io, this.help);
    const [verb, keyWord, value] = positionals;
    if (verb !== 'get' && verb !== 'set') {
      throw new UsageError(verb === undefined ? 'say `get` or `set`' : `unknown action ${describeArg(verb)} for \`rotary config\``, 'see `rotary config --help`');
    }
    const env = rotationEnv(io.env);
    if (verb === 'get') {
      if (value !== undefined) throw new UsageError(`unexpected argument ${describeArg(value)} for \`rotary config get\``, 'see `rotary config --help`');
      const key = keyWord === undefined ? undefined : findKey(keyWord);
      return withCore(io, async (core) => {
        const view = rotationSettingsView(core.pool, env);
        if (values.json) {
          println(io.stdout, JSON.stringify(key ? { key: key.key, value: view.effective[key.field], stored: view.stored[key.field], ...(key.envField && view.fromEnv[key.envField] ? { setBy: view.fromEnv[key.envField] } : {}) } : view, null, 2));
        } else {
          for (const k of key ? [key] : KEYS) println(io.stdout, line(k, view));
        }
        return EXIT_OK;
      });
    }
    if (keyWord === undefined || value === undefined) throw new UsageError('`rotary config set` needs a key and a value', `for example: rotary config set rotation.policy drain-soonest (keys: ${KEY_LIST})`);
    const key = findKey(keyWord);
    const parsed = key.parse(value.trim());
    return withCore(io, async (core) => {
      await core.pool.updateSettings({ [key.field]: parsed });
      const view = rotationSettingsView(core.pool, env);
      println(io.stdout, line(key, view));
      const setBy = key.envField ? view.fromEnv[key.envField] : undefined;
      if (setBy) println(io.stderr, `rotary: note: ${setBy} is set here and wins over the stored value in every process started with it.`);
      return EXIT_OK;
    });
  },
};
