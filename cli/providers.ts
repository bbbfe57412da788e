/**
 * `clauth providers`: the provider presets, what each takes to find the user's instance, and
 * the documentation it follows.
 *
 * @module
 */

import { PRESETS } from "../flows/presets/registry.ts";
import type { Session } from "./context.ts";

/** Runs `clauth providers`. */
export async function providersCommand(session: Session, json: boolean): Promise<void> {
  const { terminal } = session;
  if (json) {
    const list = PRESETS.map(({ name, title, location, docs, defaults }) => ({
      name,
      title,
      location,
      defaults,
      docs,
    }));
    await terminal.out(JSON.stringify(list, null, 2) + "\n");
    return;
  }
  const width = Math.max(...PRESETS.map((preset) => preset.name.length));
  const indent = " ".repeat(width + 2);
  const lines = PRESETS.map((preset) => {
    const where = preset.location.map((option) =>
      `${indent}--${option.setting} ${option.value}: ${option.what}${
        option.default ? ` (default ${option.default})` : ""
      }\n`
    );
    return `${preset.name.padEnd(width)}  ${preset.title}\n${where.join("")}${indent}${
      preset.docs[0]
    }\n`;
  });
  await terminal.out(lines.join(""));
}
