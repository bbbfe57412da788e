// Test helper: writes a profile's token file as JsonFileStore.set() does and stops just before
// the atomic rename, so the parent test can kill this process mid-write and check the previous
// file survived. The pause is writeFileAtomic's own hook: the public store has none.
import { JsonFileStore, slotsFileText } from "../../storage/json_file_store.ts";
import { writeFileAtomic } from "../../storage/private_files.ts";

const store = new JsonFileStore(Deno.args[0]!);
const text = slotsFileText([{
  issuer: "https://login.example.com",
  client_id: "cli",
  scope: "",
  grant: "user",
  access_token: "NEW",
  token_type: "bearer",
  obtained_at: 0,
}]);
await writeFileAtomic(store.pathOf("p"), text, {
  beforeRename: async () => {
    await Deno.stdout.write(new TextEncoder().encode("ready\n"));
    // Wait here until killed. A bare never-settling promise is not enough: with nothing else
    // pending, Deno would end the process by itself, racing the parent's kill.
    await new Promise(() => setInterval(() => {}, 60_000));
  },
});
