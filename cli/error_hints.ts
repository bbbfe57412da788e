/**
 * The CLI's advice after a failure. flows/ and storage/ say what went wrong in library words
 * and name the setting the fix is in (`ClauthError.setting`); this says where clauth takes
 * that setting from: the flag, the environment variable, the profile's key.
 *
 * @module
 */

import type { ClauthError, ClauthSetting } from "../errors.ts";

/** Where each setting comes from on the command line, in the environment and in a profile. */
const HINTS: Partial<Record<ClauthSetting, string>> = {
  issuer: "Set the exact issuer with --issuer URL (or CLAUTH_ISSUER, or the profile's issuer).",
  client_id:
    "Check the client id (--client-id, CLAUTH_CLIENT_ID or the profile's client_id); a confidential client also needs its secret: set CLAUTH_CLIENT_SECRET or pass --client-secret-file PATH.",
  client_secret:
    "Set CLAUTH_CLIENT_SECRET or pass --client-secret-file PATH (or set the profile's client_secret_file).",
  private_key:
    "Pass --private-key-file PATH, or set CLAUTH_PRIVATE_KEY_FILE or the profile's private_key_file.",
  token_endpoint_auth_method:
    "Set the profile's token_endpoint_auth_method: client_secret_basic, client_secret_post, private_key_jwt or none.",
  scope: 'Check the scopes asked for: --scope "a b" (or CLAUTH_SCOPE, or the profile\'s scope).',
  timeout: "Allow more time with --timeout SECONDS (or CLAUTH_TIMEOUT).",
  dpop:
    'Turn DPoP on for this profile: log in again with --dpop (or set "dpop": true in the profile).',
  par:
    'Push the authorization request first: log in with --par (or set "par": true in the profile), or turn it off with --no-par.',
  redirect_uri:
    "Choose the redirect URI with --redirect-uri URL (repeat it to list fallback ports) or the profile's redirect_uri; the server must have it registered.",
};

/**
 * The lines to print after `clauth: <message>`: how to change the setting the error names.
 * Empty when the error names none (or one only the message can explain).
 */
export function errorHints(error: ClauthError): string[] {
  // A damaged token file names its profile; the login that replaces it is a command.
  if (error.code === "storage") return ['Run "clauth login --profile NAME" for that profile.'];
  const hint = error.setting === undefined ? undefined : HINTS[error.setting];
  return hint === undefined ? [] : [hint];
}
