/**
 * `x-strata-vault-auth: <signer>.<timestamp>.<nonce>.<signature>`: a signed vault request. Apart
 * from the schemas so that a client (a page's bundle) can use it without TypeBox.
 */
export const VAULT_AUTH_HEADER = "x-strata-vault-auth";
