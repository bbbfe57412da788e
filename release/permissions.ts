/**
 * The Deno permissions clauth runs with as a release binary (deno compile) or a bundle: the
 * narrowest set that still covers every command. One list, used by the compile script, the
 * bundle smoke test, and (through them) the release workflow.
 *
 * - net: issuers, proxies and the loopback listener can be any host.
 * - env: only the variables clauth reads (proxies are read by the runtime, not the program).
 * - read/write: config, state and secret files live wherever the user points them.
 * - run: the browser opener ($BROWSER, xdg-open, open, rundll32, wslview), git (setup-git
 *   changes the global git config), exec's command, and the keyring programs of `storage:
 *   keyring` (secret-tool, /usr/bin/security, powershell.exe).
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
  "KUBERNETES_EXEC_INFO", // kubectl's exec plugin request (token --output k8s)
  "KUBECONFIG", // the kubeconfig that kubeconfig --write changes
  "PATH", // where kubeconfig and setup-git look for the clauth that deno install left
  "DBUS_SESSION_BUS_ADDRESS", // the session bus secret-tool asks (storage: keyring, Linux)
];

/** The permission flags for `deno compile` / `deno run`. */
export const PERMISSION_FLAGS = [
  "--allow-net",
  `--allow-env=${ENV_VARIABLES.join(",")}`,
  "--allow-read",
  "--allow-write",
  "--allow-run",
];
