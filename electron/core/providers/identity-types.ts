/** Who an account belongs to, as far as the provider tells: used for labels and de-duplication. */
export interface ProviderIdentity {
  /** Stable provider-side id: Anthropic account uuid, ChatGPT account id, GitHub numeric user id. */
  accountId?: string;
  email?: string;
  /** GitHub login. */
  login?: string;
}

/** Label for a new account: e-mail, else GitHub login, else undefined (the pool picks "Account N"). */
export function identityLabel(identity: ProviderIdentity): string | undefined {
  return identity.email ?? identity.login;
}
