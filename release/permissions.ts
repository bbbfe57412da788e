/**
 * The Deno permissions clauth runs with as a release binary (deno compile) or a bundle: the
 * narrowest set that still covers every command. One list, used by the compile script, the
 * bundle smoke test, and (through them) the release workflow.
 *
 * - net: issuers, proxies and the loopback listener can be any host.
 * - env: only the variables clauth reads (proxies are read by the runtime, not the program).
 * - read/write: config, state and secret files live wherever the user points them.
 * - run: the browser opener ($BROWSER, xdg-open, open, rundll32, wslview).
 */

/** Environment variables clauth reads. */
export const ENV_VARIABLES = [
  "CLAUTH_*",
  "HOME",
  "USERPROFILE",
  "APPDATA",
  "LOCALAPPDATA",
  "XDG_CONFIG_HOME",
  "XDG_STATE_HOME",
  "BROWSER",
  "DISPLAY",
  "WAYLAND_DISPLAY",
  "SSH_CLIENT",
  "SSH_CONNECTION",
  "SSH_TTY",
  "WSL_DISTRO_NAME",
  "WSL_INTEROP",
  "NO_COLOR",
  "TERM", // TERM=dumb: no escape sequences on stderr
  "FORCE_COLOR", // read by commander for help output
  "CLICOLOR_FORCE",
  "ACTIONS_ID_TOKEN_REQUEST_URL",
  "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
];

/** The permission flags for `deno compile` / `deno run`. */
export const PERMISSION_FLAGS = [
  "--allow-net",
  `--allow-env=${ENV_VARIABLES.join(",")}`,
  "--allow-read",
  "--allow-write",
  "--allow-run",
];
