import assert from "node:assert/strict";
import { CookieJar, navigate, readForms } from "../../dev/_http.ts";

Deno.test("cookie jar: path-aware, host-only, expiry and deletion", () => {
  const jar = new CookieJar();
  const base = new URL("http://127.0.0.1:8000/auth");
  jar.store(base, [
    "_session=s1; path=/; httponly; samesite=lax",
    "_interaction=i1; path=/interaction/abc; httponly",
    "_interaction_resume=r1; path=/auth/abc",
    "old=1; path=/; max-age=0",
    "dflt=d", // default path of /auth is /
  ]);
  assert.equal(
    jar.header(new URL("http://127.0.0.1:8000/interaction/abc")),
    "_interaction=i1; _session=s1; dflt=d",
  );
  assert.equal(
    jar.header(new URL("http://127.0.0.1:8000/interaction/abc/login")),
    "_interaction=i1; _session=s1; dflt=d",
  );
  assert.equal(
    jar.header(new URL("http://127.0.0.1:8000/interaction/abcdef")),
    "_session=s1; dflt=d",
  );
  assert.equal(
    jar.header(new URL("http://127.0.0.1:8000/auth/abc")),
    "_interaction_resume=r1; _session=s1; dflt=d",
  );
  // Another host (even the same machine under another name) gets nothing.
  assert.equal(jar.header(new URL("http://localhost:8000/auth/abc")), undefined);
  // Deleting with an expired cookie.
  jar.store(new URL("http://127.0.0.1:8000/interaction/abc"), [
    "_interaction=; path=/interaction/abc; expires=Thu, 01 Jan 1970 00:00:00 GMT",
  ]);
  assert.equal(jar.header(new URL("http://127.0.0.1:8000/interaction/abc")), "_session=s1; dflt=d");
  // Max-Age expiry is honoured.
  jar.store(base, ["short=1; path=/; max-age=10"], 1_000);
  assert.match(jar.header(base, 5_000) ?? "", /short=1/);
  assert.doesNotMatch(jar.header(base, 20_000) ?? "", /short=1/);
});

Deno.test("readForms reads actions, ids and hidden fields (entities decoded)", () => {
  const html = `<form id="f" method="post" action="/device">
    <input type="hidden" name="xsrf" value="a&amp;b"/>
    <input type="hidden" name="user_code" value='ABCD-EFGH'>
    <input type="text" name="nothing">
  </form>`;
  const [form] = readForms(html, "http://127.0.0.1:1/device?user_code=x");
  assert.ok(form);
  assert.equal(form.id, "f");
  assert.equal(form.method, "POST");
  assert.equal(form.action, "http://127.0.0.1:1/device");
  assert.equal(form.fields.toString(), "xsrf=a%26b&user_code=ABCD-EFGH");
});

Deno.test("navigate follows relative and absolute redirects with cookies, 303 -> GET", async () => {
  const seen: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const url = new URL(request.url);
    seen.push(`${request.method} ${url.pathname} ${request.headers.get("cookie") ?? "-"}`);
    await request.body?.cancel();
    switch (url.pathname) {
      case "/start":
        return new Response(null, {
          status: 303,
          headers: { location: "next", "set-cookie": "a=1; path=/" },
        });
      case "/next":
        return new Response(null, { status: 302, headers: { location: `${url.origin}/last` } });
      default:
        return new Response("done", { status: 201 });
    }
  });
  try {
    const page = await navigate(`http://127.0.0.1:${server.addr.port}/start`, {
      form: new URLSearchParams({ x: "1" }),
    });
    assert.equal(page.status, 201);
    assert.equal(page.text, "done");
    assert.equal(new URL(page.url).pathname, "/last");
    assert.deepEqual(seen, ["POST /start -", "GET /next a=1", "GET /last a=1"]);
    await assert.rejects(
      navigate(`http://127.0.0.1:${server.addr.port}/start`, {}, { maxRedirects: 1 }),
      /Too many redirects/,
    );
  } finally {
    await server.shutdown();
  }
});
