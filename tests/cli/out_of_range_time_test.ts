import assert from "node:assert/strict";
import { claimText, describeInstant } from "../../cli/claims_table.ts";
import { describeExpiry } from "../../cli/time_text.ts";

const NOW = 1_795_000_000;

Deno.test("describeExpiry() shows an expiry no date can hold as the number, out of range, never throwing", () => {
  assert.equal(describeExpiry(1e20, NOW), "expires at 100000000000000000000 (out of range)");
  assert.equal(describeExpiry(-1e20, NOW), "expires at -100000000000000000000 (out of range)");
  assert.equal(describeExpiry(Infinity, NOW), "expires at Infinity (out of range)");
  assert.equal(describeExpiry(NaN, NOW), "expires at NaN (out of range)");
  assert.equal(describeExpiry(NOW + 65, NOW), "expires in 1m 5s (2026-11-18T11:07:45Z)");
});

Deno.test("describeInstant() shows a time claim no date can hold as the number, out of range", () => {
  assert.equal(describeInstant(1e20, NOW), "100000000000000000000 (out of range)");
  assert.equal(claimText("exp", 8.64e15, NOW), "8640000000000000 (out of range)");
  assert.equal(describeInstant(NOW - 180, NOW), "2026-11-18T11:03:40Z (3m ago)");
});
