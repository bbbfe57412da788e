/**
 * GitHub (OAuth apps and GitHub Apps), github.com or GitHub Enterprise Server (`--host`).
 *
 * @module
 */

import type { Preset } from "./preset.ts";
import { originOf } from "./_location.ts";

/** GitHub's preset. */
export const github: Preset = {
  name: "github",
  title: "GitHub",
  location: [{
    setting: "host",
    value: "HOST",
    what: "GitHub Enterprise Server",
    default: "github.com",
  }],
  docs: [
    "https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps",
  ],
  locate({ host }) {
    // No OpenID Connect discovery: the endpoints are fixed under /login/.
    const origin = originOf(host ?? "github.com");
    return {
      issuer: origin,
      discovery: false,
      endpoints: {
        authorization_endpoint: `${origin}/login/oauth/authorize`,
        token_endpoint: `${origin}/login/oauth/access_token`,
        device_authorization_endpoint: `${origin}/login/device/code`,
      },
    };
  },
  defaults: {},
  behaviour: {},
};
