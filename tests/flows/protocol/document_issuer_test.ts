/**
 * A preset's `discoveryIssuer` test: the discovery document may name another issuer than the
 * configured one (Entra's `{tenantid}` template, a domain tenant's GUID) only when the test
 * accepts it; that issuer becomes the server's and `expectedIssuer` receives it.
 */

import assert from "node:assert/strict";
import { createClient } from "../../../flows/protocol/client.ts";
import { ClauthError } from "../../../errors.ts";

const CONFIGURED = "https://login.example.com/organizations/v2.0";
const TEMPLATE = "https://login.example.com/{tenantid}/v2.0";

/** A server whose discovery document names `named` as its issuer. */
function serverNaming(named: string): typeof fetch {
  return (input) => {
    const url = new URL(input instanceof Request ? input.url : input);
    assert.equal(url.href, `${CONFIGURED}/.well-known/openid-configuration`);
    return Promise.resolve(Response.json({
      issuer: named,
      token_endpoint: "https://login.example.com/organizations/oauth2/v2.0/token",
    }));
  };
}

Deno.test("createClient() takes the issuer a discovery document names when the preset's discoveryIssuer accepts it", async () => {
  const seen: Array<[string, string]> = [];
  const client = await createClient({
    issuer: CONFIGURED,
    clientId: "app",
    behaviour: {
      discoveryIssuer: (issuer, named) => {
        seen.push([issuer, named]);
        return named === TEMPLATE;
      },
    },
  }, { fetch: serverNaming(TEMPLATE) });
  assert.deepEqual(seen, [[CONFIGURED, TEMPLATE]]);
  assert.equal(client.as.issuer, TEMPLATE);
});

Deno.test("createClient() refuses a discovery document naming an issuer the preset's discoveryIssuer does not accept", async () => {
  await assert.rejects(
    createClient({
      issuer: CONFIGURED,
      clientId: "app",
      behaviour: { discoveryIssuer: (_issuer, named) => named === TEMPLATE },
    }, { fetch: serverNaming("https://evil.example.com/{tenantid}/v2.0") }),
    (error) => {
      assert.ok(error instanceof ClauthError);
      assert.equal(error.code, "usage");
      assert.match(
        error.message,
        /names the issuer "https:\/\/evil\.example\.com\/\{tenantid\}\/v2\.0"/,
      );
      assert.match(error.message, /not "https:\/\/login\.example\.com\/organizations\/v2\.0"/);
      return true;
    },
  );
});
