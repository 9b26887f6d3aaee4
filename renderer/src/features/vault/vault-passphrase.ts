/** The create form's own check before anything is sent; the core then applies its rules (length…) and says why. */
export function newPassphraseProblem(first: string, second: string): string | undefined {
  if (first === '') return 'Choose a passphrase.';
  if (first !== second) return 'The two passphrases differ; type the same one twice.';
  return undefined;
}
