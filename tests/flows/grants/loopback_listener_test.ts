import assert from "node:assert/strict";
import { ClauthError } from "../../../errors.ts";
import { startLoopbackListener } from "../../../flows/grants/loopback_listener.ts";
import { freePort } from "../../helpers/ports.ts";

async function get(url: string): Promise<{ status: number; text: string; type: string | null }> {
  const response = await fetch(url);
  return {
    status: response.status,
    text: await response.text(),
    type: response.headers.get("content-type"),
  };
}

/** True once nothing accepts connections at `url` any more. */
async function refuses(url: string): Promise<boolean> {
  try {
    await (await fetch(url)).body?.cancel();
    return false;
  } catch {
    return true;
  }
}

const pending = Symbol("pending");
/**
 * What `promise` has settled with so far, or `pending`. The listener settles its callback
 * before it answers, so once a response is in, a settled promise wins this race.
 */
function peek<T>(promise: Promise<T>): Promise<T | typeof pending> {
  return Promise.race([promise, Promise.resolve(pending)]);
}

Deno.test("startLoopbackListener() defaults to 127.0.0.1, a free port and /callback", async () => {
  const listener = await startLoopbackListener({ expectedState: "s1" });
  try {
    assert.match(listener.redirectUri, /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    assert.notEqual(new URL(listener.redirectUri).port, "0");
  } finally {
    await listener.close();
  }
});

Deno.test("startLoopbackListener() answers the callback with a success page, then shuts down", async () => {
  const listener = await startLoopbackListener({ expectedState: "s1" });
  const page = await get(`${listener.redirectUri}?code=abc&state=s1`);
  assert.equal(page.status, 200);
  assert.equal(page.type, "text/html; charset=utf-8");
  assert.match(page.text, /You can close this tab and return to the terminal/);
  const url = await listener.callback;
  assert.equal(url.searchParams.get("code"), "abc");
  assert.equal(url.pathname, "/callback");
  await listener.close();
  assert.ok(await refuses(listener.redirectUri), "still listening after the callback");
});

Deno.test("startLoopbackListener() shuts down by itself after the callback", async () => {
  const listener = await startLoopbackListener({ expectedState: "s1" });
  await (await fetch(`${listener.redirectUri}?code=abc&state=s1`)).body?.cancel();
  await listener.callback;
  await listener.closed; // nobody called close()
  assert.ok(await refuses(listener.redirectUri), "still listening once closed");
});

Deno.test("startLoopbackListener() ignores stray requests such as /favicon.ico", async () => {
  const listener = await startLoopbackListener({ expectedState: "s1" });
  try {
    const origin = new URL(listener.redirectUri).origin;
    assert.equal((await get(`${origin}/favicon.ico`)).status, 404);
    assert.equal((await get(`${origin}/?code=abc&state=s1`)).status, 404);
    assert.equal((await get(`${origin}/callback/x?code=abc&state=s1`)).status, 404);
    const post = await fetch(`${listener.redirectUri}?code=abc&state=s1`, { method: "POST" });
    await post.body?.cancel();
    assert.equal(post.status, 405);
    assert.equal(await peek(listener.callback), pending);
    assert.equal((await get(`${listener.redirectUri}?code=real&state=s1`)).status, 200);
    assert.equal((await listener.callback).searchParams.get("code"), "real");
  } finally {
    await listener.close();
  }
});

Deno.test("startLoopbackListener() turns away a wrong or missing state without consuming the callback", async () => {
  const listener = await startLoopbackListener({ expectedState: "s1" });
  try {
    const wrong = await get(`${listener.redirectUri}?code=evil&state=other`);
    assert.equal(wrong.status, 400);
    assert.match(wrong.text, /state does not match/);
    const missing = await get(`${listener.redirectUri}?code=evil`);
    assert.equal(missing.status, 400);
    assert.match(missing.text, /no state parameter/);
    const twice = await get(`${listener.redirectUri}?code=evil&state=s1&state=s1`);
    assert.equal(twice.status, 400);
    assert.equal(await peek(listener.callback), pending);

    assert.equal((await get(`${listener.redirectUri}?code=good&state=s1`)).status, 200);
    assert.equal((await listener.callback).searchParams.get("code"), "good");
  } finally {
    await listener.close();
  }
});

Deno.test("startLoopbackListener() shows error callbacks with the description HTML-escaped", async () => {
  const listener = await startLoopbackListener({ expectedState: "s1" });
  try {
    const query = new URLSearchParams({
      error: "access_denied",
      error_description: `<script>alert("x")</script> & more`,
      state: "s1",
    });
    const page = await get(`${listener.redirectUri}?${query}`);
    assert.equal(page.status, 403);
    assert.match(page.text, /Sign-in failed/);
    assert.match(page.text, /<code>access_denied<\/code>/);
    assert.match(page.text, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp; more/);
    assert.doesNotMatch(page.text, /<script>/);
    // The listener only reports; judging the error is the caller's business.
    assert.equal((await listener.callback).searchParams.get("error"), "access_denied");
  } finally {
    await listener.close();
  }
});

Deno.test("startLoopbackListener() rejects the callback when check() throws, and says why on the page", async () => {
  const listener = await startLoopbackListener({
    expectedState: "s1",
    check(url) {
      if (url.searchParams.get("iss") !== "https://good.example") {
        throw new ClauthError("server", `Wrong iss <${url.searchParams.get("iss")}>`);
      }
    },
  });
  try {
    const page = await get(`${listener.redirectUri}?code=abc&state=s1&iss=https://evil.example`);
    assert.equal(page.status, 400);
    assert.match(page.text, /Wrong iss &lt;https:\/\/evil.example&gt;/);
    await assert.rejects(listener.callback, /Wrong iss/);
  } finally {
    await listener.close();
  }
});

Deno.test("startLoopbackListener() uses the first free port of several fixed redirect URIs", async () => {
  const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const busyPort = (busy.addr as Deno.NetAddr).port;
  const free = freePort();
  try {
    const listener = await startLoopbackListener({
      expectedState: "s1",
      redirectUris: [`http://127.0.0.1:${busyPort}/cb`, `http://localhost:${free}/cb`],
    });
    try {
      // localhost stays in the URI (that is what is registered) but 127.0.0.1 is bound.
      assert.equal(listener.redirectUri, `http://localhost:${free}/cb`);
      assert.equal((await get(`http://127.0.0.1:${free}/cb?code=c&state=s1`)).status, 200);
      assert.equal((await listener.callback).searchParams.get("code"), "c");
    } finally {
      await listener.close();
    }
  } finally {
    busy.close();
  }
});

Deno.test("startLoopbackListener() fails with a usage error when every fixed port is busy", async () => {
  const a = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const b = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const portA = (a.addr as Deno.NetAddr).port;
  const portB = (b.addr as Deno.NetAddr).port;
  try {
    const error = await startLoopbackListener({
      expectedState: "s1",
      redirectUris: [`http://127.0.0.1:${portA}/callback`, `http://127.0.0.1:${portB}/callback`],
    }).then(() => undefined, (e) => e);
    assert.ok(error instanceof ClauthError);
    assert.equal(error.code, "usage");
    assert.match(error.message, new RegExp(`port 127\\.0\\.0\\.1:${portA} is in use`));
    assert.match(error.message, new RegExp(`port 127\\.0\\.0\\.1:${portB} is in use`));
    assert.match(error.message, /use another redirect URI registered at the server/);
    assert.equal(error.setting, "redirect_uri");
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("startLoopbackListener() refuses redirect URIs that are not loopback http", async () => {
  for (
    const uri of [
      "https://127.0.0.1/callback",
      "http://example.com/callback",
      "http://192.168.1.2:8000/callback",
      "http://127.0.0.1/callback#x",
      "not a url",
    ]
  ) {
    await assert.rejects(
      startLoopbackListener({ expectedState: "s", redirectUris: [uri] }),
      (error) => error instanceof ClauthError && error.code === "usage",
      uri,
    );
  }
});

Deno.test("startLoopbackListener() listens on [::1] when asked", async () => {
  const listener = await startLoopbackListener({
    expectedState: "s1",
    redirectUris: ["http://[::1]/done"],
  });
  try {
    assert.match(listener.redirectUri, /^http:\/\/\[::1\]:\d+\/done$/);
    assert.equal((await get(`${listener.redirectUri}?code=c&state=s1`)).status, 200);
    assert.equal((await listener.callback).pathname, "/done");
  } finally {
    await listener.close();
  }
});

Deno.test("startLoopbackListener() closes and rejects the callback when its signal aborts", async () => {
  const controller = new AbortController();
  const listener = await startLoopbackListener({
    expectedState: "s1",
    signal: controller.signal,
  });
  controller.abort();
  await assert.rejects(listener.callback, (error) => (error as Error).name === "AbortError");
  await listener.close();
  assert.ok(await refuses(listener.redirectUri));
});
