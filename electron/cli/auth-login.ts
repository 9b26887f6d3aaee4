/**
 * `rotary auth login <provider> [--label NAME]`: the same login flows as the app, in the
 * terminal. Anthropic: open the URL, paste `code#state` (or the callback URL) back.
 * ChatGPT: open the URL, the browser comes back to a loopback server. Copilot: show the
 * user code, approve it on GitHub. Ctrl+C cancels at any point and adds nothing.
 */
import { labelProblem } from '../../shared/plain-text.js';
import { createInterface } from 'node:readline';
import { PROVIDER_IDS, type AccountRecord, type ProviderID } from '../../shared/domain.js';
import { errorMessage, isRotaryError } from '../core/errors.js';
import { HELP_OPTION, parseCommand } from './args.js';
import { canOpenBrowser, openBrowser } from './browser.js';
import type { Command } from './command.js';
import { parseProvider, withCore } from './context.js';
import { CancelledError, EXIT_OK, printHelp, println, UsageError, type CliIO } from './io.js';
import { beginLogin, type LoginHandle } from './links.js';
import { askText, choose, intro, log, outro, requireTTY, spinner } from './prompts.js';
import { accountsCount, providerName, quotedName } from './render.js';

const PASTE_TRIES = 3;

export const authLogin: Command = {
  name: 'auth login',
  summary: 'log in to an account (browser / device code)',
  help: `Usage: rotary auth login <provider> [--label NAME] [--no-browser]

Adds an account by logging in, with the same flows as the app:
  anthropic        opens claude.ai; paste the code shown there (code#state) or the page address
  openai           opens ChatGPT; the browser returns to Rotary on http://localhost:1455
  github-copilot   shows a code to enter on github.com/login/device

Without a terminal, the Anthropic code is read as one line from standard input.

Options:
  --label NAME     name the account (default: its e-mail or login)
  --no-browser     only print the address, do not open a browser
  -h, --help       show this help`,
  async run(argv, io) {
    const { values, positionals } = parseCommand(
      'auth login',
      { args: argv, options: { ...HELP_OPTION, label: { type: 'string' }, 'no-browser': { type: 'boolean' } }, strict: true, allowPositionals: true },
      1,
    );
    if (values.help) return printHelp(io, this.help);
    const labelError = values.label !== undefined ? labelProblem(values.label, '--label') : undefined;
    if (labelError) throw new UsageError(labelError.replace(/\.$/, ''));
    if (positionals[0] === undefined) requireTTY(io, `pass the provider: \`rotary auth login <${PROVIDER_IDS.join('|')}>\``);
    let providerID = positionals[0] !== undefined ? parseProvider(positionals[0]) : undefined;

    return withCore(io, async (core) => {
      if (io.isTTY) intro(io, 'Add account');
      providerID ??= await choose<ProviderID>(
        io,
        'Select provider',
        [...PROVIDER_IDS].sort((a, b) => providerName(a).localeCompare(providerName(b))).map((id) => ({ value: id, label: providerName(id) })),
      );
      const abort = new AbortController();
      const onOuterAbort = () => abort.abort();
      io.signal?.addEventListener('abort', onOuterAbort, { once: true });
      const browser = !values['no-browser'] && io.isTTY && canOpenBrowser(io.env);
      try {
        const handle = await beginLogin(core, providerID, {
          signal: abort.signal,
          ...(values.label ? { label: values.label } : {}),
        });
        const record = await drive(io, providerID, handle, browser, abort.signal);
        const count = core.pool.getAccounts(providerID).length;
        const message = `Added ${providerName(providerID)} account ${quotedName(record)} (${accountsCount(count)}).`;
        if (io.isTTY) outro(io, message);
        else println(io.stdout, message);
        return EXIT_OK;
      } catch (error) {
        if (abort.signal.aborted || isRotaryError(error, 'cancelled')) throw new CancelledError('Login cancelled; no account was added.');
        throw error;
      } finally {
        io.signal?.removeEventListener('abort', onOuterAbort);
        abort.abort();
      }
    });
  },
};

async function drive(io: CliIO, providerID: ProviderID, handle: LoginHandle, browser: boolean, signal: AbortSignal): Promise<AccountRecord> {
  const show = (text: string) => (io.isTTY ? log.info(io, text) : println(io.stdout, text));
  // URLs go out raw, on their own line: a prompt library's wrapping and "│" prefixes would break copy-paste.
  const showURL = (heading: string, url: string) => {
    show(heading);
    println(io.stdout, url);
  };
  switch (handle.kind) {
    case 'paste-code': {
      showURL('Open this address and log in:', handle.url);
      if (browser) openBrowser(handle.url, io.env);
      return pasteLoop(io, handle, signal);
    }
    case 'await-callback': {
      showURL('Open this address and log in:', handle.url);
      if (browser) openBrowser(handle.url, io.env);
      return waitWithSpinner(io, 'Waiting for the browser to come back…', handle.result, signal);
    }
    case 'device-code': {
      show(`Enter the code ${handle.userCode} at ${handle.verificationUri}`);
      if (browser) openBrowser(handle.verificationUri, io.env);
      return waitWithSpinner(io, `Waiting for ${providerName(providerID)} approval…`, handle.result, signal);
    }
  }
}

/** Ask for the pasted code until it is accepted (garbage may be retried; other failures end the login). */
async function pasteLoop(io: CliIO, handle: Extract<LoginHandle, { kind: 'paste-code' }>, signal: AbortSignal): Promise<AccountRecord> {
  if (!io.isTTY) {
    const line = await readLine(io, signal);
    if (line === undefined) {
      throw new UsageError('no code on stdin', 'run `rotary auth login anthropic` in a terminal, or write the code#state shown after login to its standard input');
    }
    return handle.submit(line.trim());
  }
  for (let attempt = 1; ; attempt++) {
    const pasted = await askText(io, 'Paste the code (code#state) or the address of the page', (v) => (v.trim() ? undefined : 'Paste the code shown after logging in.'));
    const spin = spinner(io);
    spin.start('Checking the code…');
    try {
      const record = await handle.submit(pasted.trim());
      spin.stop('Logged in.');
      return record;
    } catch (error) {
      spin.error(errorMessage(error));
      if (!isRotaryError(error, 'bad-input') || attempt >= PASTE_TRIES) throw error;
    }
  }
}

/** One line from stdin (no terminal), or undefined at end of input. Aborts with the login. */
function readLine(io: CliIO, signal: AbortSignal): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: io.stdin, terminal: false });
    let done = false;
    const finish = (value: string | undefined) => {
      if (done) return;
      done = true;
      rl.close();
      resolve(value);
    };
    rl.once('line', (line) => finish(line));
    rl.once('close', () => finish(undefined));
    signal.addEventListener('abort', () => {
      if (!done) {
        done = true;
        rl.close();
        reject(new CancelledError('Login cancelled; no account was added.'));
      }
    });
  });
}

async function waitWithSpinner(io: CliIO, message: string, result: Promise<AccountRecord>, signal: AbortSignal): Promise<AccountRecord> {
  const spin = spinner(io);
  spin.start(message);
  const aborted = new Promise<never>((_, reject) => {
    if (signal.aborted) reject(new CancelledError('Login cancelled; no account was added.'));
    signal.addEventListener('abort', () => reject(new CancelledError('Login cancelled; no account was added.')), { once: true });
  });
  try {
    const record = await Promise.race([result, aborted]);
    spin.stop('Logged in.');
    return record;
  } catch (error) {
    spin.error(error instanceof CancelledError ? 'Cancelled.' : errorMessage(error));
    throw error;
  }
}

