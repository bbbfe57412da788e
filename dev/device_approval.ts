/**
 * Approves (or denies) a device-flow user code over HTTP, as the user would in a browser:
 * open verification_uri_complete (a self-submitting form with `xsrf` and `user_code`), submit
 * it, then submit the confirmation form with `confirm=yes` (or `abort=yes`), and follow the
 * redirects through the interaction with a cookie jar. Needs the dev provider in autoApprove
 * mode for approval (denial needs no interaction).
 */

import { CookieJar, type HtmlForm, navigate, type Page, readForms } from "./_http.ts";
import { errorMessageOf, PAGE, pageOf } from "./_pages.ts";

export interface ApproveDeviceCodeOptions {
  /** Deny instead of approve. */
  deny?: boolean;
  fetch?: typeof fetch;
}

export async function approveDeviceCode(
  verificationUriComplete: string,
  options: ApproveDeviceCodeOptions = {},
): Promise<void> {
  const jar = new CookieJar();
  const http = { jar, ...(options.fetch ? { fetch: options.fetch } : {}) };

  // 1. The verification page posts itself (xsrf + user_code) to get the confirmation page.
  const entry = await navigate(verificationUriComplete, {}, http);
  const entryForm = onlyForm(
    entry,
    (form) => form.fields.has("xsrf") && form.fields.has("user_code"),
  );
  const confirmPage = await navigate(entryForm.action, { form: entryForm.fields }, http);
  if (pageOf(confirmPage.text) !== PAGE.deviceConfirm) fail("confirmation page", confirmPage);

  // 2. Confirm or abort.
  const confirmForm = onlyForm(confirmPage, (form) => form.id === "op.deviceConfirmForm");
  const fields = new URLSearchParams(confirmForm.fields);
  if (options.deny) {
    fields.delete("confirm");
    fields.set("abort", "yes");
  } else {
    fields.set("confirm", "yes");
  }
  const done = await navigate(confirmForm.action, { form: fields }, http);
  const expected = options.deny ? PAGE.deviceAborted : PAGE.deviceSuccess;
  if (pageOf(done.text) !== expected) fail(options.deny ? "denial" : "approval", done);
}

function onlyForm(page: Page, accept: (form: HtmlForm) => boolean): HtmlForm {
  const form = readForms(page.text, page.url).find(accept);
  if (!form) fail("device form", page);
  return form;
}

function fail(step: string, page: Page): never {
  const where = pageOf(page.text);
  const detail = errorMessageOf(page.text);
  const hint = where === PAGE.login || where === PAGE.consent
    ? " (the provider asks for a login/consent page: start it with autoApprove)"
    : "";
  throw new Error(
    `Device code ${step} failed at ${page.url} (HTTP ${page.status}${
      where ? `, page ${where}` : ""
    })${detail ? `: ${detail}` : ""}${hint}`,
  );
}
