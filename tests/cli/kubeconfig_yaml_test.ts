import assert from "node:assert/strict";
import { parse } from "yaml";
import {
  findEntry,
  setTopLevelString,
  topLevelString,
  upsertEntry,
} from "../../cli/kubeconfig_yaml.ts";

const USER = {
  name: "clauth-k8s",
  user: {
    exec: {
      apiVersion: "client.authentication.k8s.io/v1",
      command: "/usr/local/bin/clauth",
      args: ["token", "--profile", "k8s", "--output", "k8s"],
      interactiveMode: "IfAvailable",
      provideClusterInfo: false,
    },
  },
};

/** A kubeconfig as people keep them: comments, quoting styles, blank lines, odd indentation. */
const KUBECONFIG = `# Managed by hand; do not reformat.
apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: "TUlJQy4uLg=="   # double-quoted on purpose
    server: 'https://prod.example.com:6443'
  name: prod

contexts:
  - context: {cluster: prod, user: admin}   # flow style inside a block list
    name: prod-admin
current-context: prod-admin
kind: Config
preferences: {}
users:
  - name: admin   # the break-glass account
    user:
      client-certificate-data: QUJD
      client-key-data: REVG

  - name: clauth-k8s
    user:
      token: stale-by-hand
# the end
`;

Deno.test("upsertEntry() adds a user after the others and leaves every other byte as it was", () => {
  const merged = upsertEntry(KUBECONFIG, "users", { ...USER, name: "new-user" });
  // Everything before and after the inserted lines is the original text.
  const at = merged.indexOf("  - name: new-user");
  assert.ok(at > 0, merged);
  const inserted = merged.slice(at, merged.indexOf("# the end"));
  assert.equal(merged.replace(inserted, ""), KUBECONFIG);
  // The new item is at the list's own indentation, and parses as the entry.
  assert.deepEqual(parse(merged).users[2], { ...USER, name: "new-user" });
  assert.equal(parse(merged).users.length, 3);
});

Deno.test("upsertEntry() replaces the entry of the same name in place", () => {
  const merged = upsertEntry(KUBECONFIG, "users", USER);
  const data = parse(merged);
  assert.equal(data.users.length, 2);
  assert.deepEqual(data.users[1], USER);
  assert.ok(!merged.includes("stale-by-hand"));
  // Up to the replaced entry, and after it, the file is unchanged.
  const start = KUBECONFIG.indexOf("name: clauth-k8s");
  assert.equal(merged.slice(0, start), KUBECONFIG.slice(0, start));
  assert.ok(merged.endsWith("        provideClusterInfo: false\n# the end\n"), merged);
  // Idempotent: the same entry again changes nothing.
  assert.equal(upsertEntry(merged, "users", USER), merged);
});

Deno.test("upsertEntry() turns an empty or missing list into a block list, and starts new files", () => {
  const empty = "apiVersion: v1\nusers: null\nkind: Config # the kind\n";
  const filled = upsertEntry(empty, "users", USER);
  assert.ok(filled.startsWith("apiVersion: v1\nusers:\n- name: clauth-k8s\n"), filled);
  assert.ok(filled.endsWith("\nkind: Config # the kind\n"), filled);
  assert.deepEqual(parse(filled).users, [USER]);

  for (const text of ["apiVersion: v1\nusers: []\n", "apiVersion: v1\nusers:\n"]) {
    assert.deepEqual(parse(upsertEntry(text, "users", USER)).users, [USER], text);
  }
  const missing = upsertEntry("apiVersion: v1 # keep\n", "contexts", {
    name: "c",
    context: { cluster: "prod", user: "u" },
  });
  assert.ok(missing.startsWith("apiVersion: v1 # keep\ncontexts:\n- name: c\n"), missing);

  const fresh = parse(upsertEntry("", "users", USER));
  assert.equal(fresh.apiVersion, "v1");
  assert.equal(fresh.kind, "Config");
  assert.deepEqual(fresh.users, [USER]);
});

Deno.test("upsertEntry() keeps a JSON kubeconfig JSON, and CRLF line ends", () => {
  const json = JSON.stringify({ apiVersion: "v1", kind: "Config", users: [{ name: "a" }] });
  const merged = upsertEntry(json, "users", USER);
  assert.deepEqual(JSON.parse(merged).users, [{ name: "a" }, USER]);

  const crlf = KUBECONFIG.replaceAll("\n", "\r\n");
  const added = upsertEntry(crlf, "users", { ...USER, name: "other" });
  assert.ok(!/[^\r]\n/.test(added), "every line ends with CRLF");
  assert.equal(parse(added).users.length, 3);
});

Deno.test("upsertEntry() refuses a file that is not YAML or not a kubeconfig, naming it", () => {
  assert.throws(
    () => upsertEntry("users: [unclosed\n", "users", USER, "/home/u/.kube/config"),
    (error: Error) => /^\/home\/u\/\.kube\/config is not valid YAML/.test(error.message),
  );
  assert.throws(() => upsertEntry("- a\n- b\n", "users", USER), /not a kubeconfig/);
});

Deno.test("setTopLevelString() sets current-context in place or adds it; findEntry() reads", () => {
  assert.equal(topLevelString(KUBECONFIG, "current-context"), "prod-admin");
  const replaced = setTopLevelString(KUBECONFIG, "current-context", "other");
  assert.equal(
    replaced,
    KUBECONFIG.replace("current-context: prod-admin", "current-context: other"),
  );
  assert.equal(topLevelString('current-context: ""\n', "current-context"), undefined);
  assert.equal(
    setTopLevelString("kind: Config\n", "current-context", "c"),
    "kind: Config\ncurrent-context: c\n",
  );
  assert.deepEqual(findEntry(KUBECONFIG, "contexts", "prod-admin")?.context, {
    cluster: "prod",
    user: "admin",
  });
  assert.equal(findEntry(KUBECONFIG, "contexts", "nope"), undefined);
});

Deno.test("upsertEntry() with merge changes only the values given, keeping the entry's comments", () => {
  const merged = upsertEntry(
    KUBECONFIG,
    "contexts",
    { name: "prod-admin", context: { user: "clauth-k8s" } },
    "The kubeconfig",
    true,
  );
  assert.deepEqual(findEntry(merged, "contexts", "prod-admin")?.context, {
    cluster: "prod",
    user: "clauth-k8s",
  });
  assert.match(merged, /user: clauth-k8s \}\s+# flow style inside a block list\n/);
  // Outside the entry, nothing moved.
  const start = KUBECONFIG.indexOf("context: {cluster");
  assert.equal(merged.slice(0, start), KUBECONFIG.slice(0, start));
  const after = KUBECONFIG.indexOf("    name: prod-admin");
  assert.ok(merged.endsWith(KUBECONFIG.slice(after)));
});
