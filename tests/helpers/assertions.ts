/** Assertions shared by the tests. */

import assert from "node:assert/strict";
import { ClauthError } from "../../errors.ts";

/**
 * Asserts that `promise` rejects with a ClauthError of `code` whose message matches
 * `pattern`, and returns the error for further checks.
 */
export async function rejectsWith(
  promise: Promise<unknown>,
  code: string,
  pattern: RegExp,
): Promise<ClauthError> {
  const error = await promise.then(() => undefined, (e) => e);
  assert.ok(error instanceof ClauthError, `expected a ClauthError, got ${error}`);
  assert.equal(error.code, code, error.message);
  assert.match(error.message, pattern);
  return error;
}
