/**
 * Entra's scopes: each names a resource (its App ID URI) and a permission of it, and a token
 * is issued for one resource at a time. A login whose scope names two resources is refused
 * here, before the person goes through the browser only to see the code redemption fail with
 * AADSTS28000.
 *
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/scopes-oidc
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow#redeem-a-code-for-an-access-token
 * @module
 */

import { ClauthError } from "../../errors.ts";
import { safeText } from "../protocol/safe_text.ts";

/**
 * The OpenID Connect scopes, which go with any resource's ("openid, email, profile and
 * offline_access"; address and phone are not supported).
 *
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/scopes-oidc#openid-connect-scopes
 */
const OIDC_SCOPES = new Set(["openid", "profile", "email", "offline_access"]);

/**
 * The resource of a scope that names none: "scope=User.Read is equivalent to
 * https://graph.microsoft.com/User.Read".
 */
const GRAPH = "Microsoft Graph";

/**
 * Microsoft Graph by its other names: its application ID, and its hosts in the national clouds.
 *
 * @see https://learn.microsoft.com/en-us/graph/deployments
 */
const GRAPH_NAMES = new Set([
  "00000003-0000-0000-c000-000000000000",
  "https://graph.microsoft.com",
  "https://graph.microsoft.us",
  "https://dod-graph.microsoft.us",
  "https://microsoftgraph.chinacloudapi.cn",
]);

/**
 * The resource a scope is for: what comes before its last `/` (`api://my-api/read` is
 * `api://my-api`'s; `https://contoso.com//.default` is `https://contoso.com/`'s), Microsoft
 * Graph for a bare permission, undefined for an OpenID Connect scope.
 */
export function resourceOf(scope: string): string | undefined {
  if (OIDC_SCOPES.has(scope.toLowerCase())) return undefined;
  const slash = scope.lastIndexOf("/");
  if (slash < 0) return GRAPH;
  const resource = scope.slice(0, slash);
  const key = resource.toLowerCase().replace(/\/+$/, "");
  return GRAPH_NAMES.has(key) ? GRAPH : resource;
}

/**
 * The scope as given, after refusing what Entra refuses: scopes of more than one resource in
 * one request, and a resource's `.default` with its own permissions beside it ("Clients can't
 * combine static (.default) consent and dynamic consent in a single request").
 *
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/scopes-oidc#the-default-scope
 */
export function checkEntraScope(scope: string | undefined): string | undefined {
  if (scope === undefined) return scope;
  const byResource = new Map<string, string[]>();
  for (const name of scope.split(" ").filter(Boolean)) {
    const resource = resourceOf(name);
    if (resource === undefined) continue;
    const key = resource === GRAPH ? GRAPH : resource.toLowerCase().replace(/\/+$/, "");
    byResource.set(key, [...byResource.get(key) ?? [], name]);
  }
  if (byResource.size > 1) {
    const named = [...byResource.values()].map((names) => safeText(names.join(" "), 100));
    throw new ClauthError(
      "usage",
      `Microsoft Entra ID issues each token for one resource, and this scope names ${byResource.size}: ${
        named.join("; ")
      }. Ask for one resource's scopes (openid, profile, email and offline_access go with any), and log in to another resource with another profile.`,
      { setting: "scope" },
    );
  }
  for (const names of byResource.values()) {
    const all = names.find((name) => name.endsWith("/.default"));
    if (all && names.length > 1) {
      throw new ClauthError(
        "usage",
        `Microsoft Entra ID does not take ${
          safeText(all, 100)
        } (every permission the app registered for that resource) together with the resource's own permissions (${
          safeText(names.filter((name) => name !== all).join(" "), 100)
        }): ask for one or the other.`,
        { setting: "scope" },
      );
    }
  }
  return scope;
}
