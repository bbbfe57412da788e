/**
 * A small stand-in for a Kubernetes API server, for kubectl tests: HTTPS on 127.0.0.1 (kubectl
 * sends a bearer token only over TLS) with a certificate made for the test, `GET /api` answered
 * for a bearer token the test's `verify` accepts, 401 with a Kubernetes Status otherwise.
 * It records which requests carried a token it accepted, never the tokens.
 */

import "reflect-metadata"; // @peculiar/x509's dependency injection needs it loaded first
import * as x509 from "@peculiar/x509";

/** A self-signed certificate for 127.0.0.1, and its key, as PEM. */
export interface TestCertificate {
  cert: string;
  key: string;
}

/** Makes a certificate for IP 127.0.0.1 valid for a day (ECDSA P-256, as kubectl accepts). */
export async function loopbackCertificate(): Promise<TestCertificate> {
  const algorithm = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
  const keys = await crypto.subtle.generateKey(algorithm, true, ["sign", "verify"]);
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: "CN=clauth test API server",
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 86_400_000),
    keys,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.SubjectAlternativeNameExtension([{ type: "ip", value: "127.0.0.1" }]),
    ],
  });
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", keys.privateKey));
  const body = pkcs8.toBase64().match(/.{1,64}/g)!.join("\n");
  return {
    cert: certificate.toString("pem"),
    key: `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\n`,
  };
}

/** What the fake API server saw: per request, its path and what `verify` said of its token. */
export interface KubeRequest {
  path: string;
  /** `verify`'s name for the token (e.g. "id_token"), or undefined: refused or absent. */
  accepted?: string;
}

/** A running fake API server. */
export interface KubeApiServer {
  /** `https://127.0.0.1:<port>`. */
  server: string;
  /** The CA certificate (PEM) to trust: the server's own. */
  caPem: string;
  requests: KubeRequest[];
  close(): Promise<void>;
}

/**
 * Starts the server. `verify` is handed each bearer token and names the kind it accepts it as,
 * or returns undefined to refuse it.
 */
export async function startKubeApiServer(
  verify: (token: string) => Promise<string | undefined>,
): Promise<KubeApiServer> {
  const { cert, key } = await loopbackCertificate();
  const requests: KubeRequest[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, cert, key, onListen() {} },
    async (request) => {
      const path = new URL(request.url).pathname;
      const bearer = /^Bearer (\S+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
      const accepted = bearer ? await verify(bearer) : undefined;
      requests.push(accepted ? { path, accepted } : { path });
      if (!accepted) {
        // What an API server answers an unauthenticated request.
        return Response.json({
          kind: "Status",
          apiVersion: "v1",
          metadata: {},
          status: "Failure",
          message: "Unauthorized",
          reason: "Unauthorized",
          code: 401,
        }, { status: 401 });
      }
      if (path !== "/api") return new Response("not found", { status: 404 });
      return Response.json({
        kind: "APIVersions",
        versions: ["v1"],
        serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: "127.0.0.1" }],
      });
    },
  );
  return {
    server: `https://127.0.0.1:${server.addr.port}`,
    caPem: cert,
    requests,
    close: () => server.shutdown(),
  };
}
