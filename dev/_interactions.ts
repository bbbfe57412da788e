/**
 * The dev provider's login and consent: /interaction/:uid (GET) and
 * /interaction/:uid/{login,confirm,abort} (POST), or no page at all with autoApprove.
 */

import { errors } from "oidc-provider";
import { consentPage, errorPage, loginPage } from "./_pages.ts";
import type {
  InteractionDetails,
  InteractionResult,
  KoaContext,
  Provider,
} from "./_provider_api.ts";
import { USER_ID } from "./_constants.ts";
import { readForm } from "./_requests.ts";

export async function handleInteraction(
  provider: Provider,
  ctx: KoaContext,
  uid: string,
  action: string | undefined,
  autoApprove: boolean,
): Promise<void> {
  ctx.res.setHeader("cache-control", "no-store");
  try {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (details.uid !== uid) throw new errors.SessionNotFound("interaction session mismatch");
    const clientId = String(details.params.client_id ?? "");
    const prompt = details.prompt.name;

    if (action === undefined && ctx.method === "GET") {
      if (!autoApprove) {
        ctx.type = "html";
        ctx.body = prompt === "login"
          ? loginPage({
            uid,
            clientId,
            ...(typeof details.params.login_hint === "string"
              ? { loginHint: details.params.login_hint }
              : {}),
          })
          : consentPage({
            uid,
            clientId,
            accountId: details.session?.accountId ?? USER_ID,
            scopes: requestedScopes(details),
          });
        return;
      }
      const result = prompt === "login"
        ? { login: { accountId: USER_ID } }
        : { consent: { grantId: await grantFor(provider, details) } };
      await finish(provider, ctx, result, prompt !== "login");
      return;
    }

    if (ctx.method !== "POST") {
      ctx.status = 405;
      ctx.body = "Method Not Allowed";
      return;
    }
    const form = await readForm(ctx.req);
    if (action === "login" && prompt === "login") {
      const login = (form.get("login") ?? "").trim().toLowerCase();
      if (login !== USER_ID) {
        ctx.type = "html";
        ctx.body = loginPage({
          uid,
          clientId,
          error: `Unknown user "${login}". Sign in as alice.`,
        });
        return;
      }
      await finish(provider, ctx, { login: { accountId: USER_ID } }, false);
    } else if (action === "confirm" && prompt === "consent") {
      await finish(
        provider,
        ctx,
        { consent: { grantId: await grantFor(provider, details) } },
        true,
      );
    } else if (action === "abort") {
      await finish(provider, ctx, {
        error: "access_denied",
        error_description: "End-User aborted interaction",
      }, false);
    } else {
      throw new errors.InvalidRequest(`cannot ${action} while the ${prompt} prompt is pending`);
    }
  } catch (error) {
    const e = error as {
      statusCode?: number;
      error?: string;
      error_description?: string;
      message?: string;
    };
    ctx.status = e.statusCode && e.statusCode < 500 ? e.statusCode : 400;
    ctx.type = "html";
    ctx.body = errorPage({
      error: e.error ?? "invalid_request",
      error_description: e.error_description ?? e.message ?? "interaction failed",
    });
  }
}

export async function finish(
  provider: Provider,
  ctx: KoaContext,
  result: InteractionResult,
  mergeWithLastSubmission: boolean,
): Promise<void> {
  const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, {
    mergeWithLastSubmission,
  });
  ctx.redirect(returnTo);
  ctx.status = 303;
}

function requestedScopes(details: InteractionDetails): string[] {
  const missing = details.prompt.details.missingOIDCScope;
  return Array.isArray(missing) ? missing.map(String) : [];
}

/** The interaction's grant (existing or new) with every missing scope and claim added. */
async function grantFor(provider: Provider, details: InteractionDetails): Promise<string> {
  const accountId = details.session?.accountId;
  if (!accountId) throw new errors.InvalidRequest("no signed-in user for this interaction");
  const grant = (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ??
    new provider.Grant({ accountId, clientId: String(details.params.client_id) });
  const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = details.prompt.details;
  if (Array.isArray(missingOIDCScope)) grant.addOIDCScope(missingOIDCScope.join(" "));
  if (Array.isArray(missingOIDCClaims)) grant.addOIDCClaims(missingOIDCClaims.map(String));
  if (missingResourceScopes && typeof missingResourceScopes === "object") {
    for (const [resource, scopes] of Object.entries(missingResourceScopes)) {
      if (Array.isArray(scopes)) grant.addResourceScope(resource, scopes.join(" "));
    }
  }
  return await grant.save();
}
