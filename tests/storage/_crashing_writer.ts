// Test helper: starts a token write and stops just before the atomic rename, so the parent
// test can kill this process mid-write and check the previous file survived.
import { JsonFileStore } from "../../storage/json_file_store.ts";

const store = new JsonFileStore(Deno.args[0]!, {
  beforeRename: async () => {
    await Deno.stdout.write(new TextEncoder().encode("ready\n"));
    await new Promise(() => {}); // wait here until killed
  },
});
await store.set("p", {
  issuer: "https://login.example.com",
  client_id: "cli",
  scope: "",
  grant: "user",
  access_token: "NEW",
  token_type: "bearer",
  obtained_at: 0,
});
