/**
 * Progress events every login flow reports, so the UI and the CLI can show the same steps.
 * Messages are for people and never contain a token.
 */
export type LoginStep =
  | 'waiting' // waiting for the user in the browser (or for the pasted code)
  | 'user-code' // device flow: show the user code
  | 'exchanging' // redeeming the code / polling the device grant
  | 'profile' // reading who the account belongs to
  | 'verifying' // Copilot: checking the token exchange works
  | 'done';

export interface LoginProgress {
  step: LoginStep;
  message: string;
}
