/**
 * A git server over smart HTTP for tests: `git http-backend` (CGI) behind Deno.serve on
 * 127.0.0.1, serving one bare repository with one commit, `/repo.git`. Every request must
 * carry Basic credentials whose password `verify` accepts; others get 401 with a Basic
 * challenge, which is what makes git ask its credential helper. It records whether each
 * request was authorized, never the credentials.
 */

/** A running git server. */
export interface GitHttpServer {
  /** `http://127.0.0.1:<port>`; the repository is at `${origin}/repo.git`. */
  origin: string;
  /** The commit the repository's main branch points at. */
  head: string;
  /** Per request: whether it carried credentials `verify` accepted. */
  requests: { authorized: boolean }[];
  close(): Promise<void>;
}

async function git(args: string[], cwd: string, env: Record<string, string> = {}) {
  const output = await new Deno.Command("git", { args, cwd, env, stdin: "null" }).output();
  if (output.code !== 0) {
    throw new Error(`git ${args.join(" ")}: ${new TextDecoder().decode(output.stderr)}`);
  }
  return new TextDecoder().decode(output.stdout).trim();
}

/** A bare repository with one commit on main, in a new temporary folder. */
async function bareRepository(): Promise<{ root: string; head: string }> {
  const root = await Deno.makeTempDir({ prefix: "clauth-git-server-" });
  const work = `${root}/work`;
  await Deno.mkdir(work);
  const identity = {
    GIT_AUTHOR_NAME: "alice",
    GIT_AUTHOR_EMAIL: "alice@example.com",
    GIT_COMMITTER_NAME: "alice",
    GIT_COMMITTER_EMAIL: "alice@example.com",
  };
  await git(["init", "--quiet", "--initial-branch=main"], work);
  await Deno.writeTextFile(`${work}/README`, "served over smart HTTP\n");
  await git(["add", "README"], work);
  await git(["commit", "--quiet", "-m", "first"], work, identity);
  const head = await git(["rev-parse", "HEAD"], work);
  await git(["clone", "--quiet", "--bare", work, `${root}/repo.git`], root);
  return { root, head };
}

/** Starts the server; `verify` is handed the password of each request's Basic credentials. */
export async function startGitHttpServer(
  verify: (password: string) => Promise<boolean>,
): Promise<GitHttpServer> {
  const { root, head } = await bareRepository();
  const requests: { authorized: boolean }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const basic = /^Basic (\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
    const password = basic ? atob(basic).split(":").slice(1).join(":") : undefined;
    const authorized = password !== undefined && await verify(password);
    requests.push({ authorized });
    if (!authorized) {
      await request.body?.cancel();
      return new Response("authentication required\n", {
        status: 401,
        headers: { "www-authenticate": 'Basic realm="clauth test git"' },
      });
    }
    return await httpBackend(request, root);
  });
  return {
    origin: `http://127.0.0.1:${server.addr.port}`,
    head,
    requests,
    async close() {
      await server.shutdown();
      await Deno.remove(root, { recursive: true });
    },
  };
}

/** Runs `git http-backend` for one request (RFC 3875 CGI) and turns its output into a Response. */
async function httpBackend(request: Request, root: string): Promise<Response> {
  const url = new URL(request.url);
  const child = new Deno.Command("git", {
    args: ["http-backend"],
    env: {
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: "1",
      PATH_INFO: url.pathname,
      QUERY_STRING: url.search.slice(1),
      REQUEST_METHOD: request.method,
      CONTENT_TYPE: request.headers.get("content-type") ?? "",
      HTTP_CONTENT_ENCODING: request.headers.get("content-encoding") ?? "",
      GIT_PROTOCOL: request.headers.get("git-protocol") ?? "",
      REMOTE_USER: "alice",
      REMOTE_ADDR: "127.0.0.1",
    },
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const body = request.body ? request.body.pipeTo(child.stdin) : child.stdin.close();
  const [output] = await Promise.all([child.output(), body]);
  const bytes = output.stdout;
  // CGI output: header lines, a blank line, the body.
  let end = -1;
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) {
      end = i;
      break;
    }
  }
  if (end < 0) return new Response("bad CGI output", { status: 502 });
  const headers = new Headers();
  let status = 200;
  for (const line of new TextDecoder().decode(bytes.subarray(0, end)).split("\r\n")) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === "status") status = parseInt(value, 10);
    else headers.append(name, value);
  }
  return new Response(bytes.subarray(end + 4), { status, headers });
}
