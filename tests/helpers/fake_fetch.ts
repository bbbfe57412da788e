/**
 * A scripted fetch for error paths a real server will not produce. Each route answers
 * `METHOD url-without-query`; every call is recorded so tests can assert what was sent.
 */

export interface RecordedCall {
  method: string;
  url: string;
  headers: Headers;
  body: string;
}

export type Route = (call: RecordedCall) => Response | Promise<Response>;

export function fakeFetch(routes: Record<string, Route>) {
  const calls: RecordedCall[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const call: RecordedCall = {
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: request.body ? await request.text() : "",
    };
    calls.push(call);
    const url = new URL(request.url);
    const route = routes[`${request.method} ${url.origin}${url.pathname}`];
    if (!route) return new Response("not found", { status: 404 });
    return await route(call);
  };
  return { fetch: fetch as typeof globalThis.fetch, calls };
}

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });

/** A minimal discovery document for `issuer`. */
export const metadata = (issuer: string, extra: Record<string, unknown> = {}) => ({
  issuer,
  token_endpoint: `${issuer}/token`,
  ...extra,
});
