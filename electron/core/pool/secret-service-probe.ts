/**
 * Does the OS keychain answer (for `rotary doctor`)? One lookup of an entry that does not exist,
 * under a service of its own: it reads no secret and writes nothing. A keychain that hangs
 * (a locked keyring waiting for a prompt nobody sees) counts as not answering after `timeoutMs`.
 */
import { errorMessage } from '../errors.js';
import { createKeytarVault } from './vault-keytar.js';

const PROBE_SERVICE = 'Rotary doctor probe';

export async function probeSecretService(timeoutMs = 5000): Promise<{ ok: true } | { ok: false; message: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the keychain did not answer within ${Math.round(timeoutMs / 1000)} s (is the keyring locked and waiting for a password?)`)), timeoutMs);
    timer.unref();
  });
  try {
    await Promise.race([createKeytarVault(PROBE_SERVICE).get('probe'), timeout]);
    return { ok: true };
  } catch (error) {
    return { ok: false, message: errorMessage(error) };
  } finally {
    clearTimeout(timer);
  }
}
