/**
 * The keyring of the machine the tests run on, for real: a round trip through the backend of
 * this operating system (the macOS Keychain, Windows Credential Manager, or the user's Secret
 * Service). It touches the user's own keyring, so it runs only when asked:
 * CLAUTH_TEST_SYSTEM_KEYRING=1 (a CI runner's throwaway keychain, say). The Linux backend is
 * tested on a private Secret Service in keyring_store_test.ts and tests/cli/keyring_test.ts.
 */

import assert from "node:assert/strict";
import { keyringBackend } from "../../cli/keyring_choice.ts";

const asked = Deno.env.get("CLAUTH_TEST_SYSTEM_KEYRING") === "1";
if (!asked) console.log("System keyring test ignored: set CLAUTH_TEST_SYSTEM_KEYRING=1 to run it");

Deno.test({
  name: "the system keyring keeps a large secret, replaces it with a small one, and removes it",
  ignore: !asked,
  fn: async () => {
    const backend = keyringBackend({ env: (name) => Deno.env.get(name) });
    const account = `test-${crypto.randomUUID().slice(0, 8)}`;
    const large = JSON.stringify({ slots: [{ token: "t".repeat(6000) }] }, null, 2);
    try {
      assert.equal(await backend.read(account), undefined);
      await backend.write(account, large);
      assert.equal(await backend.read(account), large);
      await backend.write(account, "small\nsecret");
      assert.equal(await backend.read(account), "small\nsecret");
      assert.equal(await backend.remove(account), true);
      assert.equal(await backend.read(account), undefined);
      assert.equal(await backend.remove(account), false);
    } finally {
      await backend.remove(account).catch(() => {});
    }
  },
});
