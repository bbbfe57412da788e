/**
 * The microsoft preset's parts on their own: where the server is (authority, tenant, issuer),
 * the issuer checks, the one-resource scope check, the AADSTS hints and the transport.
 */

import assert from "node:assert/strict";
import { ClauthError } from "../../errors.ts";
import {
  CONSUMERS_TENANT_ID,
  entraDiscoveryIssuer,
  entraExpectedIssuer,
  entraLocation,
  microsoft,
} from "../../flows/presets/microsoft.ts";
import { entraErrorHint } from "../../flows/presets/microsoft_errors.ts";
import { checkEntraScope, resourceOf } from "../../flows/presets/microsoft_scopes.ts";
import { entraTransport } from "../../flows/presets/microsoft_transport.ts";

const MS = "https://login.microsoftonline.com";
const TENANT = "aaaabbbb-0000-cccc-1111-dddd2222eeee";
const OTHER = "bbbbcccc-1111-dddd-2222-eeee3333ffff";

function usageError(pattern: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof ClauthError);
    assert.equal(error.code, "usage");
    assert.match(error.message, pattern);
    return true;
  };
}

Deno.test("microsoft.locate() is AUTHORITY/TENANT/v2.0: organizations at the global service unless told", () => {
  assert.equal(microsoft.locate({}).issuer, `${MS}/organizations/v2.0`);
  assert.equal(
    microsoft.locate({ authority: "https://login.microsoftonline.us/", tenant: "Contoso.com" })
      .issuer,
    "https://login.microsoftonline.us/contoso.com/v2.0",
  );
  // MSAL writes the tenant into the authority; an issuer says both.
  assert.deepEqual(entraLocation({ authority: `${MS}/${TENANT}` }), {
    authority: MS,
    tenant: TENANT,
  });
  assert.deepEqual(entraLocation({ issuer: `${MS}/common/v2.0`, tenant: "common" }), {
    authority: MS,
    tenant: "common",
  });
  assert.deepEqual(entraLocation({ authority: "http://127.0.0.1:8080" }), {
    authority: "http://127.0.0.1:8080",
    tenant: "organizations",
  });
});

Deno.test("microsoft.locate() refuses a bad tenant, an authority that is not https, and two tenants", () => {
  assert.throws(
    () => microsoft.locate({ tenant: "my tenant" }),
    usageError(/must be a GUID, a domain/),
  );
  assert.throws(() => microsoft.locate({ tenant: "contoso" }), usageError(/not "contoso"/));
  assert.throws(
    () => microsoft.locate({ authority: "http://login.microsoftonline.us" }),
    usageError(/must be an https address/),
  );
  assert.throws(
    () => microsoft.locate({ authority: `${MS}/${TENANT}`, tenant: "common" }),
    usageError(/Two Entra tenants were given: common and aaaabbbb/),
  );
  assert.throws(
    () => microsoft.locate({ issuer: `${MS}/common` }),
    usageError(/An Entra issuer is AUTHORITY\/TENANT\/v2\.0/),
  );
});

Deno.test("entraDiscoveryIssuer() accepts what Entra's documents name: {tenantid}, the consumers tenant, a domain's GUID", () => {
  const template = `${MS}/{tenantid}/v2.0`;
  assert.ok(entraDiscoveryIssuer(`${MS}/organizations/v2.0`, template));
  assert.ok(entraDiscoveryIssuer(`${MS}/common/v2.0`, template));
  assert.ok(!entraDiscoveryIssuer(`${MS}/common/v2.0`, "https://evil.example/{tenantid}/v2.0"));
  assert.ok(!entraDiscoveryIssuer(`${MS}/common/v2.0`, `${MS}/${TENANT}/v2.0`));
  assert.ok(entraDiscoveryIssuer(`${MS}/consumers/v2.0`, `${MS}/${CONSUMERS_TENANT_ID}/v2.0`));
  assert.ok(!entraDiscoveryIssuer(`${MS}/consumers/v2.0`, template));
  assert.ok(entraDiscoveryIssuer(`${MS}/contoso.com/v2.0`, `${MS}/${TENANT}/v2.0`));
  assert.ok(!entraDiscoveryIssuer(`${MS}/contoso.com/v2.0`, template));
  // A GUID tenant's document names the issuer itself, which needs no exception.
  assert.ok(!entraDiscoveryIssuer(`${MS}/${TENANT}/v2.0`, `${MS}/${OTHER}/v2.0`));
});

Deno.test("entraExpectedIssuer() fills {tenantid} with the token's GUID tid, and holds a tenant's tokens to it", () => {
  const template = `${MS}/{tenantid}/v2.0`;
  assert.equal(entraExpectedIssuer({ tid: TENANT }, template), `${MS}/${TENANT}/v2.0`);
  // Not a GUID, or none: the template itself, which no issued iss equals.
  assert.equal(entraExpectedIssuer({ tid: "x/../y" }, template), template);
  assert.equal(entraExpectedIssuer({}, template), template);
  const fixed = `${MS}/${TENANT}/v2.0`;
  assert.equal(entraExpectedIssuer({ tid: TENANT }, fixed), fixed);
  assert.equal(entraExpectedIssuer({}, fixed), fixed);
  const mismatch = entraExpectedIssuer({ iss: fixed, tid: OTHER }, fixed);
  assert.notEqual(mismatch, fixed);
  assert.notEqual(mismatch, `${MS}/${OTHER}/v2.0`);
});

Deno.test("checkEntraScope() lets one resource through and refuses two, or .default beside its own permissions", () => {
  assert.equal(resourceOf("User.Read"), "Microsoft Graph");
  assert.equal(resourceOf("https://graph.microsoft.com/Mail.Read"), "Microsoft Graph");
  assert.equal(resourceOf("api://my-api/read"), "api://my-api");
  assert.equal(resourceOf("https://contoso.com//.default"), "https://contoso.com/");
  assert.equal(resourceOf("offline_access"), undefined);
  const graph = "openid profile offline_access User.Read https://graph.microsoft.com/Mail.Read";
  assert.equal(checkEntraScope(graph), graph);
  assert.equal(checkEntraScope("openid api://my-api/.default"), "openid api://my-api/.default");
  assert.equal(checkEntraScope(undefined), undefined);
  assert.throws(
    () => checkEntraScope("openid api://my-api/read https://vault.azure.net/user_impersonation"),
    usageError(/one resource, and this scope names 2/),
  );
  assert.throws(
    () => checkEntraScope("https://graph.microsoft.com/.default Mail.Read"),
    usageError(/together with the resource's own permissions \(Mail\.Read\)/),
  );
});

Deno.test("entraErrorHint() explains the AADSTS codes people meet", () => {
  const hint = (text: string) =>
    entraErrorHint(`The token endpoint refused the request: x (${text})`);
  assert.match(
    hint(
      "AADSTS50011: The redirect URI 'http://localhost:5173/cb' specified in the request does not match",
    )!,
    /register http:\/\/localhost\/cb .*ignores the port/,
  );
  assert.match(
    hint("AADSTS50011: The redirect URI 'http://[::1]:5173/cb' specified")!,
    /IPv6 loopback/,
  );
  assert.match(
    hint("AADSTS50011: The reply address 'https://app.example/cb' does not match")!,
    /register https:\/\/app\.example\/cb exactly/,
  );
  assert.match(
    hint("AADSTS700016: Application with identifier 'x' was not found")!,
    /no application has this client ID/,
  );
  assert.match(hint("AADSTS65001: The user or administrator has not consented")!, /consent/);
  assert.match(
    hint("AADSTS50076: Due to a configuration change")!,
    /multifactor authentication is required/,
  );
  assert.match(hint("AADSTS50079: Due to a configuration change")!, /register security info/);
  assert.match(hint("AADSTS7000218: The request body must contain")!, /Allow public client flows/);
  assert.match(
    hint("AADSTS70011: The provided value for the input parameter 'scope' is not valid")!,
    /RESOURCE\/\.default/,
  );
  assert.match(
    hint("AADSTS28000: Provided value for the input parameter scope is not valid")!,
    /one resource only/,
  );
  assert.match(hint("AADSTS90014: The required field 'scope' is missing")!, /lacks a parameter/);
  assert.match(
    hint("AADSTS900144: The request body must contain the following parameter: 'client_id'.")!,
    /\(client_id\)/,
  );
  assert.match(
    hint("AADSTS900144: The request body must contain the following parameter: 'client_secret'.")!,
    /Allow public client flows/,
  );
  assert.equal(hint("AADSTS12345: Something new"), undefined);
  assert.equal(entraErrorHint("invalid_grant (the code expired)"), undefined);
});

Deno.test("entraTransport() puts Graph's JSON refusal into the RFC 6750 challenge, and leaves other answers alone", async () => {
  const graph = () =>
    Promise.resolve(Response.json(
      { error: { code: "InvalidAuthenticationToken", message: 'Access "token" failure.' } },
      { status: 401, headers: { "www-authenticate": 'Bearer realm=""' } },
    ));
  const answer = await entraTransport(graph)("https://graph.microsoft.com/oidc/userinfo");
  assert.equal(answer.status, 401);
  assert.equal(
    answer.headers.get("www-authenticate"),
    'Bearer realm="", error="invalid_token", error_description="InvalidAuthenticationToken: Access  token  failure."',
  );
  assert.equal((await answer.json()).error.code, "InvalidAuthenticationToken");
  const plain = new Response("<html>", { status: 400, headers: { "content-type": "text/html" } });
  assert.equal(await entraTransport(() => Promise.resolve(plain))("https://x.example"), plain);
  const big = Response.json({ error: "authorization_declined", pad: "x".repeat(70_000) }, {
    status: 400,
  });
  assert.equal(
    (await (await entraTransport(() => Promise.resolve(big))("https://x.example")).json()).error,
    "authorization_declined",
  );
});
