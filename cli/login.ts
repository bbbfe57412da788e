/**
 * `clauth login`: get new tokens for the profile and store them, whatever is cached; and
 * the interactive login that `clauth token` may run when a person is at the terminal.
 *
 * @module
 */

import { ChosenStore } from "../storage/chosen_store.ts";
import {
  authorizationCodeFlow,
  DEFAULT_LOGIN_TIMEOUT_MS,
} from "../flows/grants/authorization_code.ts";
import { deviceCodeFlow } from "../flows/grants/device_code.ts";
import { saveTokens } from "../storage/save_tokens.ts";
import type { Acquisition } from "../acquisition.ts";
import type { CommandContext } from "./context.ts";
import { canOpenBrowser, openBrowser } from "./browser_opener.ts";
import { DevicePrompt } from "./device_prompt.ts";
import { pastedRedirectReader } from "./paste_prompt.ts";
import type { PastedRedirectReader } from "../flows/grants/authorization_response.ts";
import { defaultSleep } from "../flows/protocol/dependencies.ts";
import { BrowserWait } from "./browser_wait.ts";
import { InputLines } from "./input_lines.ts";
import type { WaitClock } from "./spinner.ts";
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
  /** How long the browser login may take, in seconds (`--login-timeout`). */
  loginTimeout?: number;
}

/** Runs `clauth login`. */
export async function loginCommand(context: CommandContext, options: LoginOptions): Promise<void> {
  const { settings, store, terminal } = context;
  const binding = bindingOf(settings);
  const previous = await store.get(settings.profile, binding).catch(() => undefined);
  // A keyring that does not answer is found out before anyone signs in (auto: files, said once).
  if (store instanceof ChosenStore && store.kind !== "file") {
    await store.checkWritable(settings.profile);
  }
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
  const given = givenSettings(context.options, undefined, context.runtime.cwd);
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
  const { settings, terminal, runtime } = context;
  const redirectUris = options.redirectUris ?? splitList(settings.redirectUri);
  // stdin serves "Press Enter" first, then the paste prompt when no browser opened.
  const input = terminal.interactive ? new InputLines(runtime.stdin.readable) : undefined;
  let pasteReader: PastedRedirectReader | undefined;
  const seconds = options.loginTimeout ?? settings.loginTimeout;
  const timeoutMs = seconds === undefined ? DEFAULT_LOGIN_TIMEOUT_MS : seconds * 1000;
  const env = { get: runtime.env, environment: () => runtime.environment() };
  const { request } = settings;
  const scope = context.requestScope();
  const client = await context.requestingClient();
  const screen = new BrowserWait(terminal, {
    clock: waitClock(context),
    deadline: runtime.now() + timeoutMs,
    noBrowser: options.noBrowser === true,
    open: (url) => openBrowser(url, env).catch(() => false),
    ...(input ? { input } : {}),
    pasting: input !== undefined,
  });
  try {
    const result = await authorizationCodeFlow(client, {
      ...(scope ? { scope } : {}),
      ...(redirectUris.length ? { redirectUris } : {}),
      extraParameters: context.authorizationParameters(),
      resource: request.resource,
      ...(request.audience === undefined ? {} : { audience: request.audience }),
      ...(request.maxAge === undefined ? {} : { maxAge: request.maxAge }),
      par: request.par,
      timeoutMs,
      // Called before openBrowser: the address is on screen whatever the browser does.
      onAuthorizationUrl: (url) => screen.showUrl(url),
      openBrowser: (url) => screen.openBrowser(url),
      ...(input
        ? {
          readPastedRedirect: (signal, problem) =>
            (pasteReader ??= pastedRedirectReader(terminal, input.rest()))(signal, problem),
        }
        : {}),
    });
    screen.stop("done");
    return result;
  } catch (error) {
    screen.stop("failed");
    throw error;
  }
}

/** The runtime's clock, and real timers for the waiting screens (tests drive theirs). */
function waitClock(context: CommandContext): WaitClock {
  return { now: context.runtime.now, sleep: defaultSleep };
}

/** "a, b c" -> ["a", "b", "c"]: lists in config values and repeated flags. */
export function splitList(value: string | string[] | undefined): string[] {
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.flatMap((v) => v.split(/[\s,]+/)).filter(Boolean);
}

async function deviceLogin(context: CommandContext): Promise<Acquisition> {
  const client = await context.requestingClient();
  const prompt = new DevicePrompt(context.terminal, waitClock(context));
  const { request } = context.settings;
  const scope = context.requestScope();
  try {
    const result = await deviceCodeFlow(client, {
      ...(scope ? { scope } : {}),
      resource: request.resource,
      ...(request.audience === undefined ? {} : { audience: request.audience }),
      onUserCode: (info) => prompt.show(info),
    });
    prompt.stop("approved");
    return result;
  } catch (error) {
    prompt.stop("failed");
    throw error;
  }
}
