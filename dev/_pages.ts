/**
 * HTML pages of the dev provider (login, consent, device flow, logout, errors).
 *
 * Every page carries `data-page="<name>"` on its `<body>`, so programs (dev/device_approval.ts,
 * tests, Playwright) can tell where they landed without scraping wording. This module has no
 * imports: the HTTP helpers read the markers without loading oidc-provider.
 *
 * Page guide for browser tests (Playwright driving Chromium):
 * - login (`data-page="login"`): form `#login-form`, text field `name="login"` (only `alice`
 *   is accepted; a different name shows the page again with an error), password field
 *   `name="password"` (anything, not checked), button "Sign in".
 * - consent (`data-page="consent"`): lists the requested scopes; button "Allow" (form
 *   `#consent-form`) grants them, button "Deny" (form `#deny-form`) ends the flow with
 *   `error=access_denied` at the client's redirect_uri.
 * - device code entry (`data-page="device-input"`): field `name="user_code"`, button
 *   "Continue".
 * - device confirmation (`data-page="device-confirm"`): button "Continue" approves, button
 *   "Abort" denies (then `data-page="device-aborted"`).
 * - device done (`data-page="device-success"`), logout (`data-page="logout"`: buttons
 *   "Yes, sign me out" / "No, stay signed in"), errors (`data-page="error"`).
 */

export const PAGE = {
  login: "login",
  consent: "consent",
  deviceInput: "device-input",
  deviceConfirm: "device-confirm",
  deviceAborted: "device-aborted",
  deviceSuccess: "device-success",
  logout: "logout",
  logoutSuccess: "logout-success",
  error: "error",
} as const;

export type PageName = (typeof PAGE)[keyof typeof PAGE];

/** The `data-page` marker of an HTML page served by the dev provider, if any. */
export function pageOf(html: string): string | undefined {
  return /<body[^>]*\bdata-page="([^"]*)"/.exec(html)?.[1];
}

/** The text of the page's `<p class="message error">`, if any (an error explained to the user). */
export function errorMessageOf(html: string): string | undefined {
  const text = /<p class="message error">([\s\S]*?)<\/p>/.exec(html)?.[1];
  return text === undefined ? undefined : unescapeHtml(text.replace(/<[^>]*>/g, "")).trim();
}

export function escapeHtml(value: unknown): string {
  return String(value)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

export function unescapeHtml(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#[0-9]+|amp|lt|gt|quot|apos);/gi, (_, entity: string) => {
    const lower = entity.toLowerCase();
    if (lower.startsWith("#x")) return String.fromCodePoint(parseInt(lower.slice(2), 16));
    if (lower.startsWith("#")) return String.fromCodePoint(parseInt(lower.slice(1), 10));
    return { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" }[lower] ?? "";
  });
}

const STYLE =
  `body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:26rem;padding:0 1rem;color:#222}
h1{font-weight:400;font-size:1.6rem}input[type=text],input[type=password]{display:block;width:100%;box-sizing:border-box;height:2.5rem;margin:0 0 .6rem;padding:0 .5rem;font-size:1rem}
button{height:2.3rem;padding:0 1rem;margin:.2rem .4rem .2rem 0;font-size:1rem;cursor:pointer}
.error{color:#b00020}code{font-size:1.5rem}.muted{color:#666;font-size:.85rem}`;

function layout(page: PageName, title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body data-page="${page}">
<h1>${escapeHtml(title)}</h1>
${body}
<p class="muted">clauth development authorization server</p>
</body>
</html>`;
}

function message(text: string | undefined, isError: boolean): string {
  if (!text) return "";
  return `<p class="message${isError ? " error" : ""}">${escapeHtml(text)}</p>`;
}

export function loginPage(
  options: { uid: string; clientId: string; loginHint?: string; error?: string },
): string {
  const action = `/interaction/${encodeURIComponent(options.uid)}/login`;
  const value = options.loginHint ? ` value="${escapeHtml(options.loginHint)}"` : "";
  return layout(
    PAGE.login,
    "Sign in",
    `${message(options.error, true)}<p><strong>${
      escapeHtml(options.clientId)
    }</strong> wants you to sign in. The only user is <code>alice</code> (any password).</p>
<form id="login-form" method="post" action="${action}" autocomplete="off">
<input type="text" name="login" placeholder="Username" required autofocus${value}>
<input type="password" name="password" placeholder="Password">
<button type="submit">Sign in</button>
</form>`,
  );
}

export function consentPage(
  options: { uid: string; clientId: string; accountId: string; scopes: readonly string[] },
): string {
  const base = `/interaction/${encodeURIComponent(options.uid)}`;
  const items = options.scopes.map((scope) => `<li>${escapeHtml(scope)}</li>`).join("");
  const list = items
    ? `<ul id="scopes">${items}</ul>`
    : "<p>It asks you to confirm an earlier authorization.</p>";
  return layout(
    PAGE.consent,
    "Authorize",
    `<p>Signed in as <strong>${escapeHtml(options.accountId)}</strong>. <strong>${
      escapeHtml(options.clientId)
    }</strong> asks for:</p>
${list}
<form id="consent-form" method="post" action="${base}/confirm"><button type="submit" autofocus>Allow</button></form>
<form id="deny-form" method="post" action="${base}/abort"><button type="submit">Deny</button></form>`,
  );
}

/** Device flow: the user-code entry page (also shown again with an error). */
export function deviceInputPage(form: string, error: unknown): string {
  if (isErrorNamed(error, "AbortedError")) {
    return layout(
      PAGE.deviceAborted,
      "Sign-in denied",
      `${message("The sign-in request was denied.", true)}`,
    );
  }
  let text: string | undefined;
  if (error && (hasUserCode(error) || isErrorNamed(error, "NoCodeError"))) {
    text = "The code you entered is incorrect, expired or already used. Try again.";
  } else if (error) {
    text = "There was an error processing your request.";
  }
  return layout(
    PAGE.deviceInput,
    "Device sign-in",
    `${message(text, true)}<p>Enter the code shown on your device.</p>
${form}
<button type="submit" form="op.deviceInputForm">Continue</button>`,
  );
}

export function deviceConfirmPage(form: string, clientId: string, userCode: string): string {
  return layout(
    PAGE.deviceConfirm,
    "Confirm device",
    `<p><strong>${
      escapeHtml(clientId)
    }</strong> asks to sign in. Your device should show this code:</p>
<p><code id="user-code">${escapeHtml(userCode)}</code></p>
${form}
<button type="submit" form="op.deviceConfirmForm" autofocus>Continue</button>
<button type="submit" form="op.deviceConfirmForm" name="abort" value="yes">Abort</button>`,
  );
}

export function deviceSuccessPage(clientId: string): string {
  return layout(
    PAGE.deviceSuccess,
    "Sign-in complete",
    `<p>You signed in to <strong>${
      escapeHtml(clientId)
    }</strong>. You can close this page and return to your device.</p>`,
  );
}

export function logoutPage(form: string, host: string): string {
  return layout(
    PAGE.logout,
    "Sign out",
    `<p>Do you want to sign out from ${escapeHtml(host)}?</p>
${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button>`,
  );
}

export function logoutSuccessPage(clientId: string | undefined): string {
  const suffix = clientId ? ` from ${escapeHtml(clientId)}` : "";
  return layout(PAGE.logoutSuccess, "Signed out", `<p>You signed out${suffix}.</p>`);
}

export function errorPage(details: Record<string, unknown>): string {
  const error = typeof details.error === "string" ? details.error : "error";
  const description = typeof details.error_description === "string"
    ? details.error_description
    : undefined;
  return layout(
    PAGE.error,
    "Something went wrong",
    `${message(description ? `${error}: ${description}` : error, true)}
<dl>${
      Object.entries(details).map(([key, value]) =>
        `<dt>${escapeHtml(key)}</dt><dd>${escapeHtml(value)}</dd>`
      ).join("")
    }</dl>`,
  );
}

function isErrorNamed(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}

function hasUserCode(error: unknown): boolean {
  return typeof error === "object" && error !== null && "userCode" in error &&
    Boolean((error as { userCode?: unknown }).userCode);
}
