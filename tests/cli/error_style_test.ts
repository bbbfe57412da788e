/**
 * Every error line reads "clauth: ...", commander's usage errors included, and says the path
 * and the operation in words: no "(os error 2)", no "readfile '/x'", no "entity not found",
 * no Deno flag to run again with (a release binary takes none).
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { unexpectedErrorText } from "../../cli/error_hints.ts";
import { PERMISSION_FLAGS } from "../../release/permissions.ts";
import { describeFileError, storageError } from "../../storage/private_files.ts";
import { makeCliHome, runClauth } from "../helpers/cli.ts";
import { platformEnv } from "../helpers/platform_env.ts";

const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));

/** What no message may show: Deno's internals, and flags clauth does not have. */
const INTERNALS = /os error|readfile|\bstat '|entity not found|--allow-|^error:/m;

const clientCredentials = [
  "--issuer",
  "https://login.example.com",
  "--client-id",
  "ci",
  "--flow",
  "client-credentials",
];

Deno.test("commander's usage errors read clauth: ..., and point at the command's help", async () => {
  const cases: [string[], RegExp][] = [
    [["--bogus"], /^clauth: unknown option '--bogus'\n\(run "clauth --help" for usage\)\n$/],
    [["nope"], /^clauth: unknown command 'nope'\n\(run "clauth --help" for usage\)\n$/],
    [
      ["help", "nope"],
      /^clauth: unknown command 'nope'\n\(run "clauth --help" for the commands\)\n$/,
    ],
    [["login", "--bogus"], /^clauth: unknown option '--bogus'\n.*"clauth login --help"/],
    [["api"], /^clauth: missing required argument 'url'\n.*"clauth api --help"/],
    [
      ["token", "--output", "nope"],
      /^clauth: option '--output <format>' argument 'nope' is invalid/,
    ],
    [
      ["token", "--min-ttl", "soon"],
      /^clauth: option '--min-ttl <seconds>' argument 'soon' is invalid/,
    ],
  ];
  for (const [args, expected] of cases) {
    const result = await runClauth(args);
    assert.equal(result.code, 2, args.join(" "));
    assert.equal(result.stdout, "");
    assert.match(result.stderr, expected, args.join(" "));
    assert.doesNotMatch(result.stderr, INTERNALS, args.join(" "));
  }
});

Deno.test("a file clauth cannot read is named, with the reason in words", async () => {
  const home = await makeCliHome();
  const missing = `${home.configDir}/no-such-secret`;
  const gone = await runClauth(["token", ...clientCredentials, "--client-secret-file", missing], {
    env: home.env,
  });
  assert.equal(gone.code, 2);
  assert.equal(
    gone.stderr.split("\n")[0],
    `clauth: Cannot read the client secret file ${missing}: it does not exist.`,
  );
  assert.doesNotMatch(gone.stderr, INTERNALS);
  const folder = await runClauth(
    ["token", ...clientCredentials, "--private-key-file", home.configDir],
    { env: home.env },
  );
  assert.equal(folder.code, 2);
  assert.match(folder.stderr, /^clauth: Cannot read the private key file \S+: it is a folder\./);
});

Deno.test("describeFileError() says each of Deno's file errors in words", () => {
  const { errors } = Deno;
  const cases: [Error, string][] = [
    [
      new errors.NotFound("No such file or directory (os error 2): readfile '/x'"),
      "it does not exist",
    ],
    [
      new errors.PermissionDenied("Permission denied (os error 13): open '/x'"),
      "the system denied access (check its owner and permissions)",
    ],
    [new errors.AlreadyExists("File exists (os error 17): open '/x'"), "it already exists"],
    [new errors.IsADirectory("Is a directory (os error 21): readfile '/x'"), "it is a folder"],
    [
      new errors.NotADirectory("Not a directory (os error 20)"),
      "a part of its path is a file, not a folder",
    ],
    [
      new errors.NotCapable('Requires read access to "/x", run again with the --allow-read flag'),
      "clauth lacks Deno's read permission for it",
    ],
    [new Error("No space left on device (os error 28): write '/x'"), "no space left on device"],
  ];
  for (const [error, text] of cases) assert.equal(describeFileError(error, "clauth"), text);
  const special = describeFileError(
    new errors.NotCapable(
      'Requires all access to "/dev/stdin", run again with the --allow-all flag',
    ),
    "clauth",
  );
  assert.match(special, /^clauth may not open it: .* only for programs granted every permission$/);
  assert.doesNotMatch(special, INTERNALS);
  // The library's own wording names no program.
  assert.match(
    describeFileError(new errors.NotCapable('Requires write access to "/x"')),
    /^the program lacks Deno's write permission/,
  );
  assert.equal(
    storageError(
      "write",
      "/state/tokens/a.json",
      new errors.NotADirectory("Not a directory (os error 20)"),
    ).message,
    "Cannot write /state/tokens/a.json: a part of its path is a file, not a folder.",
  );
});

Deno.test("a Deno error no part of clauth expected still says the operation and the path", () => {
  assert.equal(
    unexpectedErrorText(
      new Deno.errors.NotFound("No such file or directory (os error 2): rename '/a' -> '/b'"),
    ),
    "Cannot rename /a to /b: it does not exist.",
  );
  assert.equal(
    unexpectedErrorText(
      new Deno.errors.PermissionDenied("Permission denied (os error 13): mkdir '/s'"),
    ),
    "Cannot create the folder /s: the system denied access (check its owner and permissions).",
  );
  assert.equal(
    unexpectedErrorText(new TypeError("x is undefined")),
    "unexpected error: x is undefined",
  );
});

Deno.test("a state folder under a file: the operation, the path and what to check", async () => {
  const home = await makeCliHome();
  const file = `${home.configDir}/not-a-folder`;
  await Deno.writeTextFile(file, "");
  const env = { ...home.env, CLAUTH_STATE_DIR: `${file}/state`, CLAUTH_CLIENT_SECRET: "s" };
  const result = await runClauth(["logout", "--all", "--yes"], { env });
  assert.notEqual(result.code, 0);
  assert.match(
    result.stderr,
    new RegExp(
      `^clauth: Cannot list ${file}/state/tokens: a part of its path is a file, not a folder\\.\\n`,
    ),
  );
  assert.match(result.stderr, /CLAUTH_STATE_DIR/);
  assert.doesNotMatch(result.stderr, INTERNALS);
});

Deno.test(
  "with a release build's permissions, /dev/stdin as a secret file says what clauth lacks, never --allow-all",
  {
    ignore: Deno.build.os === "windows", // no /dev/stdin
  },
  async () => {
    const home = await makeCliHome();
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        ...PERMISSION_FLAGS,
        MAIN,
        "token",
        ...clientCredentials,
        "--client-secret-file",
        "/dev/stdin",
      ],
      env: { ...platformEnv(), ...home.env },
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 2, stderr);
    assert.equal(
      stderr.split("\n")[0],
      "clauth: Cannot read the client secret file /dev/stdin: clauth may not open it: Deno opens such special paths (/dev/stdin, /dev/fd, /proc) only for programs granted every permission.",
    );
    assert.doesNotMatch(stderr, INTERNALS);
  },
);
