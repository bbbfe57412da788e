import assert from "node:assert/strict";
import { startClauthProcess } from "../helpers/cli.ts";
import { serviceHome, withProvider } from "../helpers/dev_provider.ts";

Deno.test(
  "Ctrl-C ends clauth while it waits on a client secret file (a pipe) that nobody writes",
  { ignore: Deno.build.os === "windows" }, // no mkfifo, no SIGINT to a child
  async () => {
    await withProvider({}, async (idp) => {
      const home = await serviceHome(idp.issuer, { env: { CLAUTH_CLIENT_SECRET: "" } });
      const fifo = `${home.stateDir}-secret`;
      const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
      assert.equal(made.code, 0);
      const token = startClauthProcess(
        ["token", "--force-refresh", "--client-secret-file", fifo],
        { env: home.env },
      );
      // Opening the write end returns once clauth has opened the read end: it now waits
      // for a secret that never comes.
      const ended = token.result().then((result) => {
        throw new Error(`clauth ended before opening the pipe:\n${result.stderr}`);
      });
      const writer = await Promise.race([Deno.open(fifo, { write: true }), ended]);
      try {
        token.kill("SIGINT");
        const result = await token.result();
        assert.equal(result.code, 130, result.stderr);
        assert.match(result.stderr, /clauth: interrupted\./);
      } finally {
        writer.close();
      }
    });
  },
);
