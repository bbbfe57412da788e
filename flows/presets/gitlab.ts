/**
 * GitLab, gitlab.com or self-managed (`--host`).
 *
 * @module
 */

import type { Preset } from "./preset.ts";
import { originOf } from "./_location.ts";

/** GitLab's preset. */
export const gitlab: Preset = {
  name: "gitlab",
  title: "GitLab",
  location: [{
    setting: "host",
    value: "HOST",
    what: "self-managed GitLab",
    default: "gitlab.com",
  }],
  docs: ["https://docs.gitlab.com/api/oauth2/"],
  locate({ host }) {
    return { issuer: originOf(host ?? "gitlab.com"), discovery: true };
  },
  defaults: { scope: "openid profile read_user" },
  behaviour: {},
};
