/**
 * Google (OAuth 2.0 for Desktop apps and TV/limited-input devices).
 *
 * @module
 */

import { checkIssuer } from "../protocol/endpoints.ts";
import type { Preset } from "./preset.ts";

/** Google's preset. */
export const google: Preset = {
  name: "google",
  title: "Google",
  location: [],
  docs: ["https://developers.google.com/identity/protocols/oauth2/native-app"],
  locate({ issuer }) {
    // --issuer only to point the preset elsewhere (a test server).
    return {
      issuer: checkIssuer(issuer ?? "https://accounts.google.com").href.replace(/\/$/, ""),
      discovery: true,
    };
  },
  defaults: { scope: "openid email profile" },
  behaviour: {},
};
