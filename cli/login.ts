/**
 * `clauth login`: get new tokens for the profile and store them, whatever is cached; and
 * the interactive login that `clauth token` may run when a person is at the terminal.
 *
 * @module
 */

import { authorizationCodeFlow } from "../flows/grants/authorization_code.ts";
import { deviceCodeFlow } from "../flows/grants/device_code.ts";
import { saveTokens } from "../storage/save_tokens.ts";
import type { Acquisition } from "../acquisition.ts";
import type { CommandContext } from "./context.ts";
import { canOpenBrowser, openBrowser } from "./browser_opener.ts";
import { DevicePrompt } from "./device_prompt.ts";
import { pastedRedirectReader } from "./paste_prompt.ts";
import { bindingOf } from "./settings.ts";
import { describeExpiry } from "./time_text.ts";
import { rememberSettings } from "./remembered.ts";
import { loginResult, printResult } from "./command_results.ts";
import { accountOf } from "./status.ts";

/** Options of `clauth login`. */
export interface LoginOptions {
  /** Never try to open a browser (picks the device flow under --flow auto). */
  noBrowser?: boolean;
  /** Fixed loopback redirect URIs (the first free one is used). */
  redirectUris?: string[];
  /** Save the login's flags as the profile's settings (false: --no-save). */
  save?: boolean;
}

/** Runs `clauth login`. */
export async function loginCommand(context: CommandContext, options: LoginOptions): Promise<void> {
  const { settings, store, terminal } = context;
  const binding = bindingOf(settings);
  const previous = await store.get(settings.profile, binding).catch(() => undefined);
  if (settings.flow === "client-credentials") warnRedirectUrisUnused(context, options);
  const acquired = settings.flow === "client-credentials"
    ? await context.fetchClientCredentials(previous, { newKey: true })
    : await interactiveLogin(context, options);
  const now = context.now();
  const tokens = await saveTokens(acquired, {
    store,
    profile: settings.profile,
    binding,
    now: () => now,
    lock: context.lockOptions(),
  });
  await rememberSettings(context);
  const scope = tokens.granted_scope ?? tokens.scope;
  const who = settings.flow === "client-credentials"
    ? `client ${settings.clientId}`
    : accountOf(tokens.id_token) ?? "a user";
  terminal.info(`Logged in to ${settings.issuer} as ${who} (profile ${settings.profile}).`);
  terminal.info(
    `  ${scope ? `Scope "${scope}", ` : ""}${describeExpiry(tokens.expires_at, now)}${
      tokens.refresh_token ? ", refresh token stored" : ""
    }.`,
  );
  if (options.save !== false) await saveFlags(context);
  // --json: what the login got, on stdout for scripts (never a token).
  if (context.options.json) await printResult(terminal, loginResult(settings, tokens));
}

/** A login made with flags keeps them as the profile's settings (`--no-save`: it does not). */
async function saveFlags(context: CommandContext): Promise<void> {
  const { givenSettings, saveProfile } = await import("./profile.ts");
  const given = givenSettings(context.options);
  if (Object.keys(given).length === 0) return;
  const path = await saveProfile(context.session, context.settings.profile, given);
  context.terminal.info(`  Saved as profile "${context.settings.profile}" in ${path}.`);
}

/** A person logs in: the browser flow, or the device flow when no browser can be used. */
export async function interactiveLogin(
  context: CommandContext,
  options: LoginOptions = {},
): Promise<Acquisition> {
  const { flow } = context.settings;
  const browserUsable = !options.noBrowser && canOpenBrowser({ get: context.runtime.env });
  if (flow === "device" || (flow === "auto" && !browserUsable)) {
    warnRedirectUrisUnused(context, options);
    return await deviceLogin(context);
  }
  return await browserLogin(context, options);
}

/** `--redirect-uri` means nothing to the other flows: say so rather than drop it silently. */
function warnRedirectUrisUnused(context: CommandContext, options: LoginOptions): void {
  if (!options.redirectUris?.length) return;
  context.terminal.info(
    `Note: --redirect-uri applies only to the browser flow; the ${
      context.settings.flow === "client-credentials" ? "client credentials" : "device"
    } flow ignores it.`,
  );
}

async function browserLogin(context: CommandContext, options: LoginOptions): Promise<Acquisition> {
  const { settings, terminal } = context;
  const redirectUris = options.redirectUris ?? splitList(settings.redirectUri);
  const pasteReader = terminal.interactive
    ? pastedRedirectReader(terminal, context.runtime.stdin.readable)
    : undefined;
  const { request } = settings;
  const scope = context.requestScope();
  return await authorizationCodeFlow(await context.requestingClient(), {
    ...(scope ? { scope } : {}),
    ...(redirectUris.length ? { redirectUris } : {}),
    extraParameters: context.authorizationParameters(),
    resource: request.resource,
    ...(request.audience === undefined ? {} : { audience: request.audience }),
    ...(request.maxAge === undefined ? {} : { maxAge: request.maxAge }),
    par: request.par,
    // Called before openBrowser: the address is on screen whatever the browser does.
    onAuthorizationUrl: (url) => {
      terminal.info(
        options.noBrowser
          ? "Open this address in a browser to log in:"
          : "Opening the browser to log in. If it does not open, visit:",
      );
      terminal.info(`  ${url}`);
    },
    openBrowser: options.noBrowser ? () => Promise.resolve(false) : async (url) => {
      const { runtime } = context;
      const env = { get: runtime.env, environment: () => runtime.environment() };
      const opened = await openBrowser(url, env).catch(() => false);
      // With a terminal, the paste prompt that follows says it (and what to do instead).
      if (!opened && !pasteReader) {
        terminal.info("The browser could not be opened: open the address above to log in.");
      }
      return opened;
    },
    ...(pasteReader ? { readPastedRedirect: pasteReader } : {}),
  });
}

/** "a, b c" -> ["a", "b", "c"]: lists in config values and repeated flags. */
export function splitList(value: string | string[] | undefined): string[] {
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.flatMap((v) => v.split(/[\s,]+/)).filter(Boolean);
}

async function deviceLogin(context: CommandContext): Promise<Acquisition> {
  const client = await context.requestingClient();
  const prompt = new DevicePrompt(context.terminal, context.runtime.now);
  const { request } = context.settings;
  const scope = context.requestScope();
  try {
    return await deviceCodeFlow(client, {
      ...(scope ? { scope } : {}),
      resource: request.resource,
      ...(request.audience === undefined ? {} : { audience: request.audience }),
      onUserCode: (info) => prompt.show(info),
    });
  } finally {
    prompt.stop();
  }
}
