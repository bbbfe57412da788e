/**
 * The environment of every process clauth starts (`exec`'s command, the browser opener): its
 * own, less the secrets it consumed. The child is started with `clearEnv: true` and this, so
 * nothing else leaks in.
 *
 * @module
 */

/** Secrets clauth itself consumed: a child gets the token (exec), not what clauth used to get it. */
export const CONSUMED_SECRETS: readonly string[] = [
  "CLAUTH_CLIENT_SECRET",
  "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
];

/** `environment` (the runtime's whole environment) less {@linkcode CONSUMED_SECRETS}. */
export function childEnvironment(environment: Record<string, string>): Record<string, string> {
  const env = { ...environment };
  for (const name of CONSUMED_SECRETS) delete env[name];
  return env;
}
