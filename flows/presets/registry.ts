/**
 * Every provider preset, by the name the command line and the config use. Loaded only when
 * a profile names a provider (and by `clauth providers`).
 *
 * @module
 */

import type { Preset } from "./preset.ts";
import { auth0 } from "./auth0.ts";
import { github } from "./github.ts";
import { gitlab } from "./gitlab.ts";
import { google } from "./google.ts";
import { keycloak } from "./keycloak.ts";
import { microsoft } from "./microsoft.ts";
import { okta } from "./okta.ts";

/** The presets, in the order `clauth providers` lists them. */
export const PRESETS: readonly Preset[] = [
  github,
  google,
  microsoft,
  gitlab,
  auth0,
  okta,
  keycloak,
];

/** The preset named `name`, or undefined. */
export function presetNamed(name: string): Preset | undefined {
  return PRESETS.find((preset) => preset.name === name);
}
