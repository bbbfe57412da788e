/**
 * Microsoft Entra ID (v2.0 endpoints), in any tenant and national cloud.
 *
 * @module
 */

import { ClauthError } from "../../errors.ts";
import { checkIssuer } from "../protocol/endpoints.ts";
import type { Preset } from "./preset.ts";

/** Entra's preset. */
export const microsoft: Preset = {
  name: "microsoft",
  title: "Microsoft Entra ID",
  location: [
    {
      setting: "tenant",
      value: "TENANT",
      what: "a tenant GUID or domain, organizations, common or consumers",
      default: "organizations",
    },
    {
      setting: "authority",
      value: "URL",
      what: "a national cloud",
      default: "https://login.microsoftonline.com",
    },
  ],
  docs: ["https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols"],
  locate({ authority, tenant }) {
    const base = checkIssuer(authority ?? "https://login.microsoftonline.com").origin;
    const name = tenant ?? "organizations";
    if (!/^[A-Za-z0-9.-]+$/.test(name)) {
      throw new ClauthError(
        "usage",
        `The Entra tenant must be a GUID, a domain, organizations, common or consumers, not "${name}".`,
      );
    }
    return { issuer: `${base}/${name}/v2.0`, discovery: true };
  },
  defaults: { scope: "openid profile offline_access" },
  behaviour: {},
};
