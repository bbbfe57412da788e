/**
 * Windows Credential Manager through PowerShell's WinRT `PasswordVault`: no compiler (Add-Type
 * with P/Invoke compiles C# on every run, about a second), no FFI permission, and present in
 * Windows PowerShell 5.1 on every supported Windows. The script comes in `-Command` and holds
 * no secret; the secret comes on stdin.
 *
 * A credential's secret holds at most 2560 bytes (CRED_MAX_CREDENTIAL_BLOB_SIZE, UTF-16: 1280
 * characters), less than a profile's tokens often take, so a secret is kept in parts of 1000
 * characters: resource "clauth", user names `<profile>/<written at, ms>/<count>/<index>`. A
 * write adds a whole new set before it removes the old ones, so a write cut short never loses
 * the previous set; a read takes the newest complete set.
 *
 * The script uses single quotes only: double quotes would need escaping through the Windows
 * command line, which Windows PowerShell 5.1 reads its own way.
 *
 * @module
 */

import {
  type CommandRunner,
  failed,
  KEYRING_SERVICE,
  type KeyringBackend,
  processRunner,
} from "./keyring_backend.ts";

/** Characters per credential (UTF-16: 2000 of the 2560 bytes a credential may hold). */
export const PART_SIZE = 1000;

/** The PowerShell that loads the vault, sets $account, and lists its parts in $found. */
function script(account: string, body: string): string {
  return [
    "$ErrorActionPreference = 'Stop'",
    "[void][Windows.Security.Credentials.PasswordVault,Windows.Security.Credentials,ContentType=WindowsRuntime]",
    "$vault = New-Object Windows.Security.Credentials.PasswordVault",
    // Profile names are [a-z0-9._-]: safe inside single quotes and in -like patterns.
    `$account = '${account}'`,
    // FindAllByResource throws when the resource has no credential at all.
    `$found = @(); try { $found = @($vault.FindAllByResource('${KEYRING_SERVICE}') | Where-Object { $_.UserName -like ($account + '/*') }) } catch { }`,
    body,
  ].join("; ");
}

// User names split on "/": the profile, the set's write time (ms), its count, the index.
const READ = [
  "if ($found.Count -eq 0) { exit 3 }",
  "$sets = $found | Group-Object { $f = $_.UserName -split '/'; $f[1] + '/' + $f[2] }",
  "$complete = @($sets | Where-Object { $_.Count -eq [int](($_.Name -split '/')[1]) })",
  "if ($complete.Count -eq 0) { [Console]::Error.WriteLine('no complete set of parts'); exit 4 }",
  "$set = $complete | Sort-Object { [long](($_.Name -split '/')[0]) } -Descending | Select-Object -First 1",
  "$parts = $set.Group | Sort-Object { [int](($_.UserName -split '/')[3]) }",
  "foreach ($part in $parts) { $part.RetrievePassword(); [Console]::Out.Write($part.Password) }",
].join("; ");

const WRITE = [
  "$secret = [Console]::In.ReadToEnd()",
  `$size = ${PART_SIZE}`,
  "$count = [Math]::Max(1, [int][Math]::Ceiling($secret.Length / $size))",
  "$set = [string][DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds() + '/' + $count",
  "for ($i = 0; $i -lt $count; $i++) { $start = $i * $size; $part = $secret.Substring($start, [Math]::Min($size, $secret.Length - $start)); $vault.Add((New-Object Windows.Security.Credentials.PasswordCredential('clauth', ($account + '/' + $set + '/' + $i), $part))) }",
  // The old sets go only once the new one is all in: a write cut short loses nothing.
  "$found | ForEach-Object { $vault.Remove($_) }",
].join("; ");

const REMOVE = [
  "if ($found.Count -eq 0) { exit 3 }",
  "$found | ForEach-Object { $vault.Remove($_) }",
].join("; ");

/** Windows Credential Manager through PowerShell (see the module). */
export function windowsCredentialBackend(run?: CommandRunner): KeyringBackend {
  const name = "the Windows Credential Manager (PowerShell)";
  const runner = run ?? processRunner(name);
  const program = "powershell.exe";
  const args = (account: string, body: string) => [
    "-NoProfile",
    "-NonInteractive",
    "-Command",
    script(account, body),
  ];
  return {
    name,
    async read(account) {
      const out = await runner({ program, args: args(account, READ) });
      if (out.code === 3) return undefined;
      if (out.code !== 0) throw failed(name, "read the tokens", out);
      return out.stdout;
    },
    async write(account, secret) {
      const out = await runner({ program, args: args(account, WRITE), stdin: secret });
      if (out.code !== 0) throw failed(name, "save the tokens", out);
    },
    async remove(account) {
      const out = await runner({ program, args: args(account, REMOVE) });
      if (out.code === 3) return false;
      if (out.code !== 0) throw failed(name, "remove the tokens", out);
      return true;
    },
  };
}
