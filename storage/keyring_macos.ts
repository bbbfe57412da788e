/**
 * macOS's login Keychain through `/usr/bin/security`. The commands that write go to
 * `security -i` on stdin with the secret hex encoded (`-X`), as zalando/go-keyring (gh) does:
 * `-w <secret>` would put it in argv.
 *
 * `security -i` reads lines of at most 4096 bytes, and prints a secret back hex encoded when
 * it holds a line break or other unprintable bytes. So a secret is kept base64 encoded (one
 * printable line), in parts of {@linkcode PART_SIZE} characters: the item of the profile (service
 * "clauth", account `<profile>`) holds `clauth:<set>:<count>:<first part>`, and the others are
 * accounts `<profile>/<set>/<index>`, `<set>` being the write's time in ms. A write adds the new
 * parts, then the profile's item (the switch to the new set), then removes the old parts: a
 * write cut short leaves the previous tokens readable.
 *
 * @module
 */

import {
  type CommandOutcome,
  type CommandRunner,
  failed,
  KEYRING_SERVICE,
  type KeyringBackend,
  processRunner,
} from "./keyring_backend.ts";

/** Base64 characters per item: hex encoded (3000) with its command, within 4096 bytes. */
export const PART_SIZE = 1500;

const PROGRAM = "/usr/bin/security";
const NOT_FOUND = 44; // errSecItemNotFound

/** Hex of the UTF-8 bytes of `text`, as `-X` takes a secret. */
function hex(text: string): string {
  return Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, "0"))
    .join("");
}

/** The profile's item: which set of parts is current, and the first part. */
interface Head {
  set: string;
  count: number;
  first: string;
}

function parseHead(text: string): Head | undefined {
  const match = /^clauth:(\d+):(\d+):([A-Za-z0-9+/=]*)$/.exec(text.trim());
  return match ? { set: match[1]!, count: Number(match[2]), first: match[3]! } : undefined;
}

/** macOS's login Keychain through `/usr/bin/security` (see the module). */
export function macKeychainBackend(run?: CommandRunner): KeyringBackend {
  const name = "the macOS Keychain (security)";
  const runner = run ?? processRunner(name);
  // Accounts are profile names ([a-z0-9._-]) and digits: nothing to quote in a command line.
  const item = (account: string) => `-s ${KEYRING_SERVICE} -a ${account}`;
  const part = (account: string, set: string, index: number) => `${account}/${set}/${index}`;
  const interactive = async (lines: string[], what: string): Promise<CommandOutcome> => {
    const out = await runner({ program: PROGRAM, args: ["-i"], stdin: lines.join("\n") + "\n" });
    // security -i goes on after a failed command; its errors say so on stderr.
    if (out.code !== 0 || /error/i.test(out.stderr)) throw failed(name, what, out);
    return out;
  };
  /** The profile's item, undefined when absent; throws when it is not clauth's. */
  const head = async (account: string, what: string): Promise<Head | undefined> => {
    const out = await runner({
      program: PROGRAM,
      args: ["find-generic-password", "-s", KEYRING_SERVICE, "-a", account, "-w"],
    });
    if (out.code === NOT_FOUND) return undefined;
    if (out.code !== 0) throw failed(name, what, out);
    const parsed = parseHead(out.stdout);
    if (!parsed) throw failed(name, `${what}: the item is not clauth's`, out);
    return parsed;
  };
  return {
    name,
    async read(account) {
      const found = await head(account, "read the tokens");
      if (!found) return undefined;
      const parts = [found.first];
      if (found.count > 1) {
        const lines = [];
        for (let i = 1; i < found.count; i++) {
          lines.push(`find-generic-password ${item(part(account, found.set, i))} -w`);
        }
        const out = await interactive(lines, "read the tokens");
        const read = out.stdout.split("\n").filter(Boolean);
        if (read.length !== found.count - 1) {
          throw failed(name, "read the tokens: some parts are missing", out);
        }
        parts.push(...read.map((line) => line.trim()));
      }
      return new TextDecoder().decode(Uint8Array.fromBase64(parts.join("")));
    },
    async write(account, secret) {
      const old = await head(account, "save the tokens").catch(() => undefined);
      const encoded = new TextEncoder().encode(secret).toBase64();
      const parts: string[] = [];
      for (let i = 0; i < Math.max(1, encoded.length); i += PART_SIZE) {
        parts.push(encoded.slice(i, i + PART_SIZE));
      }
      const set = String(Date.now());
      const lines = parts.slice(1).map((text, i) =>
        `add-generic-password -U ${item(part(account, set, i + 1))} -X ${hex(text)}`
      );
      const first = `clauth:${set}:${parts.length}:${parts[0]}`;
      lines.push(`add-generic-password -U ${item(account)} -X ${hex(first)}`);
      for (let i = 1; i < (old?.count ?? 0); i++) {
        lines.push(`delete-generic-password ${item(part(account, old!.set, i))}`);
      }
      await interactive(lines, "save the tokens");
    },
    async remove(account) {
      const found = await head(account, "remove the tokens").catch(() => undefined);
      const out = await runner({
        program: PROGRAM,
        args: ["delete-generic-password", "-s", KEYRING_SERVICE, "-a", account],
      });
      if (out.code === NOT_FOUND) return false;
      if (out.code !== 0) throw failed(name, "remove the tokens", out);
      if (found && found.count > 1) {
        const lines = [];
        for (let i = 1; i < found.count; i++) {
          lines.push(`delete-generic-password ${item(part(account, found.set, i))}`);
        }
        await interactive(lines, "remove the tokens").catch(() => {});
      }
      return true;
    },
  };
}
