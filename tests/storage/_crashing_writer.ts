// Test helper: starts a token write and stops just before the atomic rename, so the parent
// test can kill this process mid-write and check the previous file survived.
import { JsonFileStore } from "../../storage/json_file_store.ts";

const store = new JsonFileStore(Deno.args[0]!, {
  beforeRename: async () => {
    await Deno.stdout.write(new TextEncoder().encode("ready\n"));
    // Wait here until killed. A bare never-settling promise is not enough: with nothing else
    // pending, Deno would end the process by itself, racing the parent's kill.
    await new Promise(() => setInterval(() => {}, 60_000));
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
